import { RawCommand } from '../../src/cli/stat.js';

export default RawCommand;
