// The browser bundle the nets and device-query tests load in the page: the browser API, its device switch and reports.
export { compile, useWebGpu, fitBackend, queryBackend } from '../../api/browser.js';
