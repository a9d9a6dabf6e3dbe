//! Command APDU parsing (ISO/IEC 7816-4 short form, cases 1–4) and the DigestInfo forms the
//! card signs. Every function here takes untrusted bytes and returns a status word instead of
//! failing in any other way.

use serde::Serialize;

use super::Sw;

/// A short command APDU split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Command<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty in cases 1 and 2).
    pub data: &'a [u8],
    /// Expected response length (cases 2 and 4), 1..=256 (a 00 byte means 256).
    pub le: Option<usize>,
}

impl<'a> Command<'a> {
    /// Parses `apdu`. Fewer than four bytes, an Lc of 00 (extended length, not supported) or
    /// a body whose length fits neither case 3 nor case 4 answer 67 00.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, Sw> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return Err(Sw::WRONG_LENGTH);
        };
        let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let (data, le) = match body {
            [] => (&body[..0], None),
            [le] => (&body[..0], Some(short_le(*le))),
            [0, ..] => return Err(Sw::WRONG_LENGTH),
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                if rest.len() == lc {
                    (rest, None)
                } else if rest.len() == lc + 1 {
                    (&rest[..lc], rest.last().map(|b| short_le(*b)))
                } else {
                    return Err(Sw::WRONG_LENGTH);
                }
            }
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }
}

/// The hash inside a DigestInfo the card accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestAlgorithm {
    /// SHA-1 (OID 1.3.14.3.2.26), 20-byte digest.
    Sha1,
    /// SHA-256 (OID 2.16.840.1.101.3.4.2.1), 32-byte digest.
    Sha256,
}

/// DER prefixes of a DigestInfo, with and without the NULL parameters, and the digest length.
const DIGEST_INFO_PREFIXES: [(DigestAlgorithm, &[u8], usize); 4] = [
    (
        DigestAlgorithm::Sha1,
        &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04,
            0x14,
        ],
        20,
    ),
    (
        DigestAlgorithm::Sha1,
        &[
            0x30, 0x1F, 0x30, 0x07, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x04, 0x14,
        ],
        20,
    ),
    (
        DigestAlgorithm::Sha256,
        &[
            0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        32,
    ),
    (
        DigestAlgorithm::Sha256,
        &[
            0x30, 0x2F, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x04, 0x20,
        ],
        32,
    ),
];

/// The algorithm and digest of a DER DigestInfo for SHA-1 or SHA-256 (RFC 8017 §9.2; the
/// AlgorithmIdentifier's NULL parameters may be present or absent). `None` for anything else,
/// including a digest of the wrong length or trailing bytes.
pub fn parse_digest_info(data: &[u8]) -> Option<(DigestAlgorithm, &[u8])> {
    DIGEST_INFO_PREFIXES.iter().find_map(|&(alg, prefix, len)| {
        let digest = data.strip_prefix(prefix)?;
        (digest.len() == len).then_some((alg, digest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_cases_parse_and_lengths_must_agree() {
        let c = Command::parse(&[0x00, 0x20, 0x00, 0x80]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, None));
        let c = Command::parse(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, Some(256)));
        let c = Command::parse(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]).unwrap();
        assert_eq!((c.data, c.le), (&[0x00, 0x0A][..], None));
        let c = Command::parse(&[0x80, 0x2A, 0x00, 0x80, 0x01, 0xAA, 0x00]).unwrap();
        assert_eq!((c.data, c.le), (&[0xAA][..], Some(256)));
        for bad in [
            &[][..],
            &[0x00],
            &[0x00, 0xA4, 0x04],
            &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00],
            &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A, 0x00, 0x00],
            &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00],
        ] {
            assert_eq!(Command::parse(bad), Err(Sw::WRONG_LENGTH), "{bad:02X?}");
        }
    }

    #[test]
    fn digest_info_accepts_sha1_and_sha256_only() {
        let di = crate::jlis::sha256_digest_info(b"hello");
        assert_eq!(
            parse_digest_info(&di).map(|(a, d)| (a, d.len())),
            Some((DigestAlgorithm::Sha256, 32))
        );
        let mut sha1 = DIGEST_INFO_PREFIXES[0].1.to_vec();
        sha1.extend_from_slice(&[7; 20]);
        assert_eq!(
            parse_digest_info(&sha1).map(|x| x.0),
            Some(DigestAlgorithm::Sha1)
        );
        sha1.push(0);
        assert_eq!(parse_digest_info(&sha1), None, "trailing byte");
        assert_eq!(parse_digest_info(&[7; 32]), None, "a bare hash");
        // SHA-384 DigestInfo prefix.
        let mut sha384 = vec![
            0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ];
        sha384.extend_from_slice(&[1; 48]);
        assert_eq!(parse_digest_info(&sha384), None);
    }
}
