/** Every scenario in the visualizer, part 2 of 2 (see scenarios-in-page.ts). */
import { scenariosInPage } from './scenarios-in-page.js';

scenariosInPage(2, 2);
