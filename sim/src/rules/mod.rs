//! Dated rule tables (burden ratios, 高額療養費 caps, consent screens, data windows, certificate
//! validity and grace) loaded from data embedded at build time, plus the named switchable rules.
