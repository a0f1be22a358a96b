#!/usr/bin/env node
import { main } from '../dist/vmt.js';

await main();
