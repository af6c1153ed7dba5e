//! ksqlDB's function library, registered with DataFusion under ksqlDB's names.
//!
//! Where a DataFusion built-in already has ksqlDB's semantics it is registered under the
//! ksqlDB name as an alias; functions whose ksqlDB behaviour differs get their own
//! `ScalarUDFImpl` in a file named after the function, grouped by ksqlDB's categories.
//! Argument types are matched to ksqlDB's overloads by `signature`; a function that fails
//! on a row gives NULL for that call (`call_errors`), as ksqlDB does, and leaves the message
//! for the processing log.

use std::sync::Arc;

use bytes::number_from_bytes::{NumberFromBytes, NumberKind};
use datafusion::functions;
use datafusion::logical_expr::{ScalarUDF, ScalarUDFImpl};
use datafusion::prelude::SessionContext;
use url::url_extract_component::{UrlComponent, UrlExtractComponent};

pub mod array;
pub mod as_value;
pub mod bytes;
pub mod call_errors;
pub mod catalog;
pub mod collections;
pub mod compound_text;
pub mod date;
pub mod json;
pub mod lambda;
pub mod map;
pub mod math;
pub mod narrowing_cast;
pub mod nulls;
pub mod regex;
pub mod signature;
pub mod string;
pub mod structs;
pub mod url;

/// DataFusion built-ins that ksqlDB knows under other names, with ksqlDB's names.
fn aliases() -> Vec<(Arc<ScalarUDF>, &'static [&'static str])> {
    vec![
        (functions::string::upper(), &["ucase"]),
        (functions::string::lower(), &["lcase"]),
    ]
}

/// ksqlDB's own implementations.
fn udfs() -> Vec<Arc<dyn ScalarUDFImpl>> {
    vec![
        Arc::new(array::array_join::ArrayJoin::new()),
        Arc::new(array::array_length::ArrayLength::new()),
        Arc::new(array::array_remove::ArrayRemove::new()),
        Arc::new(array::array_sort::ArraySort::new()),
        Arc::new(array::entries::Entries::new()),
        Arc::new(array::generate_series::GenerateSeries::new()),
        Arc::new(array::slice::Slice::new()),
        Arc::new(as_value::AsValue::new()),
        Arc::new(NumberFromBytes::new(NumberKind::Int)),
        Arc::new(NumberFromBytes::new(NumberKind::Bigint)),
        Arc::new(NumberFromBytes::new(NumberKind::Double)),
        Arc::new(bytes::from_bytes::FromBytes::new()),
        Arc::new(bytes::to_bytes::ToBytes::new()),
        Arc::new(date::convert_tz::ConvertTz::new()),
        Arc::new(date::dateadd::DateAdd::new(false)),
        Arc::new(date::dateadd::DateAdd::new(true)),
        Arc::new(date::datetostring::DateToString::new()),
        Arc::new(date::format_date::FormatDate::new()),
        Arc::new(date::format_time::FormatTime::new()),
        Arc::new(date::format_timestamp::FormatTimestamp::new()),
        Arc::new(date::from_days::FromDays::new()),
        Arc::new(date::from_unixtime::FromUnixTime::new()),
        Arc::new(date::parse_date::ParseDate::new()),
        Arc::new(date::parse_time::ParseTime::new()),
        Arc::new(date::parse_timestamp::ParseTimestamp::new()),
        Arc::new(date::stringtodate::StringToDate::new()),
        Arc::new(date::stringtotimestamp::StringToTimestamp::new()),
        Arc::new(date::timeadd::TimeAdd::new()),
        Arc::new(date::timestampadd::TimestampAdd::new()),
        Arc::new(date::timestampsub::TimestampSub::new()),
        Arc::new(date::timestamptostring::TimestampToString::new()),
        Arc::new(date::timesub::TimeSub::new()),
        Arc::new(date::unix_date::UnixDate::new()),
        Arc::new(date::unix_timestamp::UnixTimestamp::new()),
        Arc::new(json::extractjsonfield::ExtractJsonField::new()),
        Arc::new(json::is_json_string::IsJsonString::new()),
        Arc::new(json::json_array_contains::JsonArrayContains::new()),
        Arc::new(json::json_array_length::JsonArrayLength::new()),
        Arc::new(json::json_concat::JsonConcat::new()),
        Arc::new(json::json_items::JsonItems::new()),
        Arc::new(json::json_keys::JsonKeys::new()),
        Arc::new(json::json_records::JsonRecords::new()),
        Arc::new(json::to_json_string::ToJsonString::new()),
        Arc::new(map::as_map::AsMap::new()),
        Arc::new(math::extremum::Extremum::new(
            math::extremum::Extreme::Greatest,
        )),
        Arc::new(math::extremum::Extremum::new(
            math::extremum::Extreme::Least,
        )),
        Arc::new(map::map_union::MapUnion::new()),
        Arc::new(math::ceil_floor::CeilFloor::new(
            math::ceil_floor::Direction::Up,
        )),
        Arc::new(math::ceil_floor::CeilFloor::new(
            math::ceil_floor::Direction::Down,
        )),
        Arc::new(math::geo_distance::GeoDistance::new()),
        Arc::new(math::log::Log::new()),
        Arc::new(math::round::Round::new()),
        Arc::new(math::sign::Sign::new()),
        Arc::new(math::sqrt::Sqrt::new()),
        Arc::new(math::trunc::Trunc::new()),
        Arc::new(nulls::coalesce::Coalesce::new()),
        Arc::new(nulls::ifnull::IfNull::new()),
        Arc::new(regex::regexp_extract::RegexpExtract::new()),
        Arc::new(regex::regexp_extract_all::RegexpExtractAll::new()),
        Arc::new(regex::regexp_replace::RegexpReplace::new()),
        Arc::new(regex::regexp_split_to_array::RegexpSplitToArray::new()),
        Arc::new(string::chr::Chr::new()),
        Arc::new(string::elt::Elt::new()),
        Arc::new(string::encode::Encode::new()),
        Arc::new(string::field::Field::new()),
        Arc::new(string::initcap::InitCap::new()),
        Arc::new(string::len::Len::new()),
        Arc::new(string::instr::Instr::new()),
        Arc::new(string::lpad::LPad::new()),
        string::mask::udf(),
        string::mask_keep_left::udf(),
        string::mask_keep_right::udf(),
        string::mask_left::udf(),
        string::mask_right::udf(),
        Arc::new(string::rpad::RPad::new()),
        Arc::new(string::split::Split::new()),
        Arc::new(string::split_to_map::SplitToMap::new()),
        Arc::new(string::substring::Substring::new()),
        Arc::new(string::trim::Trim::new()),
        Arc::new(string::uuid::Uuid::new()),
        Arc::new(structs::empty_struct::EmptyStruct::new()),
        Arc::new(url::url_decode_param::UrlDecodeParam::new()),
        Arc::new(url::url_encode_param::UrlEncodeParam::new()),
        Arc::new(url::url_extract_parameter::UrlExtractParameter::new()),
        Arc::new(url::url_extract_port::UrlExtractPort::new()),
        Arc::new(UrlExtractComponent::new(UrlComponent::Host)),
        Arc::new(UrlExtractComponent::new(UrlComponent::Protocol)),
        Arc::new(UrlExtractComponent::new(UrlComponent::Path)),
        Arc::new(UrlExtractComponent::new(UrlComponent::Query)),
        Arc::new(UrlExtractComponent::new(UrlComponent::Fragment)),
    ]
}

/// Registers every ksqlDB function with a DataFusion session.
pub fn register(ctx: &SessionContext) {
    for (udf, names) in aliases() {
        ctx.register_udf(udf.as_ref().clone().with_aliases(names.iter().copied()));
    }
    for udf in udfs() {
        let udf = call_errors::NullOnError::new(udf);
        ctx.register_udf(ScalarUDF::new_from_impl(udf));
    }
    for function in lambda::functions() {
        ctx.register_higher_order_function(function);
    }
}
