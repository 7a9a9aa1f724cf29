/** Every scenario in the visualizer, part 1 of 2 (see scenarios-in-page.ts). */
import { scenariosInPage } from './scenarios-in-page.js';

scenariosInPage(1, 2);
