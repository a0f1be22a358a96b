import { SpeedCommand } from '../../src/cli/stat.js';

export default SpeedCommand;
