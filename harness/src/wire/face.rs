//! Face files as the 資格確認端末 writes them into its `face` folder after a card confirmation:
//! the registry's answer in face form (照会区分 1, no search-info echo), named in onshi's
//! grammar (`oqs::FaceFileName`, UNCERTAIN officially) with a counter per terminal, an opaque
//! ArbitraryFileIdentifier drawn from the seed, in the terminal's character code. One place for
//! both writers: the folder server (a provider under test) and the files of a reference run
//! ([`super::export`]). No I/O here: names and bytes.

use onshi_sim::clock::Moment;
use onshi_sim::ids::InstitutionCode;
use onshi_sim::oqs::{self, ConfirmEcho, ConfirmResponse, EncodeOptions, QualificationValidity};
use onshi_sim::registry::Answer;
use onshi_sim::rng::SeedRoot;
use onshi_sim::view::View;

use super::WireError;

/// The 3-digit channel code in face file names when none is configured: onshi's 000 for 外来
/// (UNCERTAIN; OD2 shows 400 医療扶助, 600 訪問, 800 オンライン).
pub const DEFAULT_FACE_CHANNEL: u16 = 0;

/// One face file: its name, its bytes and the message they encode.
#[derive(Clone, Debug)]
pub struct FaceFile {
    /// The file name (in `face`).
    pub name: String,
    /// The encoded file.
    pub bytes: Vec<u8>,
    /// The message as written.
    pub face: ConfirmResponse,
}

/// The face-file form of a registry answer, read against the world as it stands: the asking
/// institution's code (`fallback` when the world does not know it), no search-info echo.
pub fn face_response(view: &View, answer: &Answer, fallback: InstitutionCode) -> ConfirmResponse {
    let code = view
        .institution(answer.institution)
        .map_or(fallback, |i| i.code);
    oqs::to_confirm_response(answer, view, code, &ConfirmEcho::default())
}

/// The face files of one terminal: the counter in their names.
#[derive(Clone, Debug, Default)]
pub struct FaceFiles {
    written: u64,
}

impl FaceFiles {
    /// A terminal that has written no face file yet.
    pub fn new() -> Self {
        FaceFiles::default()
    }

    /// How many face files were built so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The next face file for `response` written at `moment` by the terminal of `institution`
    /// on `channel`, in `options`. The answer is forced into face form: ReferenceClassification
    /// 1, no search-info echo, an opaque 16-character ArbitraryFileIdentifier from `seed` when
    /// it has none. One person per face file: several results only for 複数該当 (validity 5).
    pub fn next(
        &mut self,
        seed: &SeedRoot,
        response: &ConfirmResponse,
        institution: InstitutionCode,
        moment: Moment,
        channel: u16,
        options: EncodeOptions,
    ) -> Result<FaceFile, WireError> {
        let multiple =
            response.body.qualification_validity == Some(QualificationValidity::Multiple);
        if response.body.results.len() > 1 && !multiple {
            return Err(WireError::FaceResults(response.body.results.len()));
        }
        self.written += 1;
        let counter = self.written;
        let mut face = oqs::face_form(response, institution, moment);
        if face.header.arbitrary_file_identifier.is_none() {
            face.header.arbitrary_file_identifier = Some(token(
                seed.draw("oqs.face.afi", counter),
                seed.draw("oqs.face.afi2", counter),
            ));
        }
        let name = oqs::FaceFileName {
            institution,
            channel,
            counter,
            written_at: moment,
        }
        .to_string();
        let bytes = oqs::encode(&face, options)?.bytes;
        Ok(FaceFile { name, bytes, face })
    }
}

/// 16 characters of URL-safe base64 over 11 bytes (`ArnHCeDfNjMCFzg=`-like): the form of the
/// opaque identifiers real terminals write.
pub(crate) fn token(a: u64, b: u64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 12];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes()[..4]);
    let mut out = String::with_capacity(16);
    for chunk in bytes[..11].chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (u32::from(*x) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_real_ones() {
        let t = token(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
        assert_eq!(t.len(), 16);
        assert!(t.ends_with('='));
        assert!(
            t[..15]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
