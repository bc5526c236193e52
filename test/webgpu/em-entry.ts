// The browser bundle the EM-on-device test loads in the page: the browser API and the device path's counter.
export { compile } from '../../api/browser.js';
export { deviceEMIterations } from '../../runtime/learners/em-device.js';
