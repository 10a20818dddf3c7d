// Does this suite target the ports make was given (tests/lib/targets.ts)? First, so a lost port fails here, by name.
import { testComposeTargets } from '../lib/targets.js';

testComposeTargets();
