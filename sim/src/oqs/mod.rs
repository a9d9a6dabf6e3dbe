//! The wire formats of the eligibility system (オンライン資格確認) as typed Rust: code tables,
//! messages, XML encode/decode in UTF-8 and Shift_JIS.
