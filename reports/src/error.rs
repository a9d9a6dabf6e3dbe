//! What can go wrong when reading or merging run records and exploration records.
//! Rendering never fails: every renderer is total over [`RunRecord`](crate::RunRecord) and
//! [`ExploreRecord`](crate::explore::ExploreRecord).

use crate::record::Lang;

/// Why a run record or an exploration record could not be read or merged.
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
        /// What differs: `format`, `tool`, `seed`, `roles` or `requirements`; for exploration
        /// records also `kind`, `oracle`, `target` or `budget`.
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
    /// Two parts of an exploration cover the same partition.
    #[error(
        "cannot merge: partition {partition} is in part {first_part} and in part \
         {second_part}; were the same partition's results given twice?"
    )]
    DuplicatePartition {
        /// The partition, `hash:1/2`.
        partition: String,
        /// 1-based index of the first part covering it.
        first_part: usize,
        /// 1-based index of the second part covering it.
        second_part: usize,
    },
    /// Some partitions of an exploration are not among the parts.
    #[error(
        "cannot merge: the exploration parts cover {have} but not {missing}; give every \
         part's exploration record, or --allow-partial to merge what is there (the report is \
         then marked partial)"
    )]
    IncompleteExploration {
        /// The partitions given, `hash:1/3, hash:2/3`.
        have: String,
        /// The partitions missing, `hash:3/3`.
        missing: String,
    },
    /// The text is not JSON, or not shaped like an exploration record.
    #[error("exploration record is not valid at line {line}, column {column}: {message}")]
    ExploreJson {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What serde_json found.
        message: String,
    },
    /// An exploration record without `format`, or in a layout this version does not read.
    #[error("{}", explore_format_en(*.found, *.supported))]
    ExploreFormat {
        /// `format` in the file, `None` when there is none.
        found: Option<u32>,
        /// [`EXPLORE_FORMAT`](crate::explore::EXPLORE_FORMAT) of this build.
        supported: u32,
    },
    /// The JSON is a record, but not of an exploration: a `run.json`, or another `kind`.
    #[error("{}", not_an_exploration_en(.kind.as_deref()))]
    NotAnExploration {
        /// `kind` in the file: `None` for a run record, which has no `kind`.
        kind: Option<String>,
    },
    /// The JSON is a record with a `kind` (an exploration record, `explore.json`), not a run
    /// record, which has none.
    #[error(
        "this is a record of kind \"{kind}\" (explore.json), not a run record (run.json); \
         read it with onshi_reports::explore::parse (`onshi report` reads both)"
    )]
    NotARunRecord {
        /// `kind` in the file.
        kind: String,
    },
}

fn explore_format_en(found: Option<u32>, supported: u32) -> String {
    match found {
        None => "this JSON has no \"format\" field; is it an exploration record written by \
                 onshi explore?"
            .to_string(),
        Some(found) => format!(
            "exploration record format {found} is not supported: this onshi reads format \
             {supported}; re-render it with the onshi version that wrote it, or explore again"
        ),
    }
}

fn not_an_exploration_en(kind: Option<&str>) -> String {
    match kind {
        None => "this is a run record, not an exploration record: it has no \"kind\": \
                 \"explore\"; read run records (run.json) with onshi report"
            .to_string(),
        Some(kind) => format!(
            "this is a record of kind \"{kind}\", not an exploration record (kind \"explore\")"
        ),
    }
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
            ReportError::DuplicatePartition {
                partition,
                first_part,
                second_part,
            } => format!(
                "統合できません: 分割 {partition} が部分 {first_part} と部分 {second_part} の両方に\
                 あります。同じ分割の結果を二度指定していませんか?"
            ),
            ReportError::IncompleteExploration { have, missing } => format!(
                "統合できません: 分割 {missing} の探索結果がありません (あるのは {have})。すべての\
                 部分の探索記録を指定するか、--allow-partial で今ある分だけを統合してください \
                 (レポートには一部のみと記されます)"
            ),
            ReportError::ExploreJson {
                line,
                column,
                message,
            } => format!("探索記録が {line} 行 {column} 列目で不正です: {message}"),
            ReportError::ExploreFormat { found: None, .. } => {
                "この JSON には \"format\" がありません。onshi explore が書いた探索記録ですか?"
                    .to_string()
            }
            ReportError::ExploreFormat {
                found: Some(found),
                supported,
            } => format!(
                "探索記録の形式 {found} には対応していません (この onshi が読めるのは形式 \
                 {supported})。記録を書いた版の onshi で表示し直すか、探索をやり直してください"
            ),
            ReportError::NotAnExploration { kind: None } => {
                "これは実行記録で、探索記録ではありません (\"kind\": \"explore\" がありません)。\
                 実行記録 (run.json) は onshi report で読んでください"
                    .to_string()
            }
            ReportError::NotAnExploration { kind: Some(kind) } => format!(
                "これは種類 \"{kind}\" の記録で、探索記録 (種類 \"explore\") ではありません"
            ),
            ReportError::NotARunRecord { kind } => format!(
                "これは種類 \"{kind}\" の記録 (explore.json) で、実行記録 (run.json) ではありません。\
                 onshi_reports::explore::parse で読んでください (onshi report はどちらも読めます)"
            ),
        }
    }
}
