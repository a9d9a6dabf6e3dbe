//! J-LIS (地方公共団体情報システム機構): the certificate authority, issuance, revocation and the
//! serial chain (旧番号 search).
