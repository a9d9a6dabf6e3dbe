//! `onshi-reports`: pure functions from a run record to report bytes (filled in by the
//! scenario-runner work).
