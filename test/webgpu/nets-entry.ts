// The browser bundle the Adam-on-device test loads in the page: the browser API, its device switch and report.
export { compile, useWebGpu, fitBackend } from '../../api/browser.js';
