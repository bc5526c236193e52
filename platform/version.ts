// The pmix version, in a module of its own so `pmix --version` loads nothing else.
export const PMIX_VERSION = '0.1.0';
