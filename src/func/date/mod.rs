//! Date and time functions: ksqlDB's `udf/datetime`, with Java `DateTimeFormatter`
//! patterns (`java_format`) and `ZoneId` names (`zone`).

pub mod convert_tz;
pub mod dateadd;
pub mod datetostring;
pub mod epoch;
pub mod format_date;
pub mod format_time;
pub mod format_timestamp;
pub mod from_days;
pub mod from_unixtime;
pub mod iso_text;
pub mod java_format;
pub mod parse_date;
pub mod parse_time;
pub mod parse_timestamp;
pub mod stringtodate;
pub mod stringtotimestamp;
pub mod time_unit;
pub mod timeadd;
pub mod timestampadd;
pub mod timestampsub;
pub mod timestamptostring;
pub mod timesub;
pub mod unix_date;
pub mod unix_timestamp;
pub mod zone;
