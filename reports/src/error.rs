//! What can go wrong when reading or merging run records. Rendering never fails: every
//! renderer is total over [`RunRecord`](crate::RunRecord).

use crate::record::Lang;

/// Why a run record could not be read or merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The text is not JSON, or not shaped like a run record.
    #[error("run record is not valid at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What serde_json found.
        message: String,
    },
    /// The JSON has no `format` field, so it is probably not a `run.json`.
    #[error("this JSON has no \"format\" field; is it a run record (run.json) written by onshi?")]
    MissingFormat,
    /// The record was written in a layout this version does not read.
    #[error(
        "run record format {found} is not supported: this onshi reads format {supported}; \
         re-render it with the onshi version that wrote it, or re-run the scenarios"
    )]
    UnsupportedFormat {
        /// `format` in the file.
        found: u32,
        /// [`RECORD_FORMAT`](crate::RECORD_FORMAT) of this build.
        supported: u32,
    },
    /// `merge` was given no records.
    #[error("nothing to merge: give at least one run record")]
    NothingToMerge,
    /// Two parts disagree on something every part of one run shares.
    #[error(
        "cannot merge: {field} differs between part 1 ({first}) and part {part} ({other}); \
         merge only the partitions of one run"
    )]
    Mismatch {
        /// What differs: `format`, `tool`, `seed`, `roles` or `requirements`.
        field: &'static str,
        /// The value in part 1.
        first: String,
        /// 1-based index of the first part that differs.
        part: usize,
        /// The value in that part.
        other: String,
    },
    /// The same scenario ran in two parts.
    #[error(
        "cannot merge: scenario {id} is in part {first_part} and in part {second_part}; \
         were the same partition's results given twice?"
    )]
    DuplicateScenario {
        /// Scenario id.
        id: String,
        /// 1-based index of the first part holding it.
        first_part: usize,
        /// 1-based index of the second part holding it.
        second_part: usize,
    },
    /// Some partitions of the run are not among the parts.
    #[error(
        "cannot merge: the parts cover {have} but not {missing}; give every part's run.json, \
         or --allow-partial to merge what is there (the report is then marked partial)"
    )]
    IncompletePartitions {
        /// The partitions given, `hash:1/3, hash:2/3`.
        have: String,
        /// The partitions missing, `hash:3/3`.
        missing: String,
    },
    /// The parts were not cut the same way (`hash:1/2` with `slice:2/3`, or a whole run).
    #[error(
        "cannot merge: part {part} covers {other} but part 1 covers {first}; merge only the \
         partitions of one run, cut one way"
    )]
    PartitionsDiffer {
        /// Part 1's partitions (or `the whole suite`).
        first: String,
        /// 1-based index of the part that differs.
        part: usize,
        /// Its partitions.
        other: String,
    },
    /// The same file was read with different contents by two parts.
    #[error(
        "cannot merge: file {path} has SHA-256 {first_hash} in part {first_part} but \
         {second_hash} in part {second_part}; the file changed between the partitions"
    )]
    FileChanged {
        /// Path of the file.
        path: String,
        /// 1-based index of the first part that read it.
        first_part: usize,
        /// Hash seen there.
        first_hash: String,
        /// 1-based index of the part that saw another hash.
        second_part: usize,
        /// The other hash.
        second_hash: String,
    },
}

impl ReportError {
    /// The message in `lang`; [`Display`](std::fmt::Display) gives the English one.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ReportError::Json {
                line,
                column,
                message,
            } => format!("実行記録が {line} 行 {column} 列目で不正です: {message}"),
            ReportError::MissingFormat => {
                "この JSON には \"format\" がありません。onshi が書いた実行記録 (run.json) ですか?"
                    .to_string()
            }
            ReportError::UnsupportedFormat { found, supported } => format!(
                "実行記録の形式 {found} には対応していません (この onshi が読めるのは形式 \
                 {supported})。記録を書いた版の onshi で表示し直すか、シナリオを再実行してください"
            ),
            ReportError::NothingToMerge => {
                "統合する実行記録がありません。1 つ以上指定してください".to_string()
            }
            ReportError::Mismatch {
                field,
                first,
                part,
                other,
            } => format!(
                "統合できません: {field} が部分 1 ({first}) と部分 {part} ({other}) で異なります。\
                 同じ実行の分割結果だけを統合してください"
            ),
            ReportError::DuplicateScenario {
                id,
                first_part,
                second_part,
            } => format!(
                "統合できません: シナリオ {id} が部分 {first_part} と部分 {second_part} の両方に\
                 あります。同じ分割の結果を二度指定していませんか?"
            ),
            ReportError::IncompletePartitions { have, missing } => format!(
                "統合できません: 分割 {missing} の結果がありません (あるのは {have})。すべての\
                 部分の run.json を指定するか、--allow-partial で今ある分だけを統合してください \
                 (レポートには一部のみと記されます)"
            ),
            ReportError::PartitionsDiffer { first, part, other } => format!(
                "統合できません: 部分 {part} は {other}、部分 1 は {first} です。同じ分け方の\
                 分割結果だけを統合してください"
            ),
            ReportError::FileChanged {
                path,
                first_part,
                first_hash,
                second_part,
                second_hash,
            } => format!(
                "統合できません: ファイル {path} の SHA-256 が部分 {first_part} では \
                 {first_hash}、部分 {second_part} では {second_hash} です。分割実行の間に\
                 ファイルが変わっています"
            ),
        }
    }
}
