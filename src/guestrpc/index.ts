export { ChannelError, type Channel, type Stage, type Transport } from './channel.js';
export { BackdoorChannel, MAX_HOST_MESSAGE, word } from './backdoor-channel.js';
export { parseReply, RequestError, rpci, rpciRequest, type RpciReply } from './rpci.js';
