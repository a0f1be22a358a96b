import { figureCommand } from '../../src/cli/stat.js';

export default figureCommand('cpures');
