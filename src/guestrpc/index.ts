export { ChannelError, type Channel, type Stage, type Transport } from './channel.js';
export { BackdoorChannel, callBudget, MAX_HOST_MESSAGE, rpciChannel, tcloChannel, word } from './backdoor-channel.js';
export { parseReply, RequestError, rpci, rpciRequest, type RpciReply, type RpciRequest } from './rpci.js';
