import { SessionIdCommand } from '../../src/cli/stat.js';

export default SessionIdCommand;
