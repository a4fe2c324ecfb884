/** The domain: pure code with no I/O, shared by the Functions and the scripts. */
export * from './archiveRecord';
export * from './archiveLayout';
export * from './callbackParameters';
export * from './callbackRecord';
export * from './errors';
export * from './rawDlrDoneDate';
export * from './redaction';
export * from './statusRules';
