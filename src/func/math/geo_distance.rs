//! GEO_DISTANCE(lat1, lon1, lat2, lon2 DOUBLE[, units STRING]) → DOUBLE: the great-circle
//! distance between two points by the haversine formula (ksqlDB `GeoDistance`).
//!
//! ksqlDB: Earth's radius is 6371 km or 3959 miles; `units` is case-insensitive and
//! trimmed (`mi`, `mile`, `miles`, `km`, `kilometer(s)`, `kilometre(s)`), NULL or blank
//! meaning km. Latitudes outside ±90, longitudes outside ±180, an unknown unit, or a NULL
//! coordinate (a Java `double` parameter) are errors: NULL plus a processing-log entry.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::{as_float64_array, as_string_array};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::func::signature::{Overloads, Param};

const EARTH_RADIUS_KM: f64 = 6371.0;
const EARTH_RADIUS_MILES: f64 = 3959.0;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct GeoDistance {
    signature: Signature,
    overloads: Overloads,
}

impl GeoDistance {
    pub(crate) fn new() -> Self {
        let point = || vec![Param::Double; 4];
        let mut with_units = point();
        with_units.push(Param::String);
        GeoDistance {
            signature: Signature::user_defined(Volatility::Immutable),
            overloads: Overloads::new("geo_distance", vec![with_units, point()]),
        }
    }
}

impl ScalarUDFImpl for GeoDistance {
    fn name(&self) -> &str {
        "geo_distance"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.overloads.coerce(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.overloads.resolve(arg_types)?;
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let coords = arrays[..4]
            .iter()
            .map(|a| as_float64_array(a))
            .collect::<Result<Vec<_>>>()?;
        let units = arrays.get(4).map(|a| as_string_array(a)).transpose()?;
        let out = (0..args.number_rows)
            .map(|row| {
                if coords.iter().any(|c| c.is_null(row)) {
                    return exec_err!("GEO_DISTANCE: a coordinate is null");
                }
                let unit = units.and_then(|u| u.is_valid(row).then(|| u.value(row)));
                let [lat1, lon1, lat2, lon2] = [0, 1, 2, 3].map(|i| coords[i].value(row));
                geo_distance(lat1, lon1, lat2, lon2, unit).map(Some)
            })
            .collect::<Result<Float64Array>>()?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

fn geo_distance(lat1: f64, lon1: f64, lat2: f64, lon2: f64, units: Option<&str>) -> Result<f64> {
    if !(-90.0..=90.0).contains(&lat1) || !(-90.0..=90.0).contains(&lat2) {
        return exec_err!(
            "valid latitude values for GeoDistance function are in the range of -90 to 90 decimal degrees"
        );
    }
    if !(-180.0..=180.0).contains(&lon1) || !(-180.0..=180.0).contains(&lon2) {
        return exec_err!(
            "valid longitude values for GeoDistance function are in the range of -180 to +180 decimal degrees"
        );
    }
    let radius = radius(units)?;
    let haversin = |x: f64| {
        let s = (x / 2.0).sin();
        s * s
    };
    let delta_lat = to_radians(lat2 - lat1);
    let delta_lon = to_radians(lon2 - lon1);
    let a =
        haversin(delta_lat) + haversin(delta_lon) * to_radians(lat1).cos() * to_radians(lat2).cos();
    Ok(2.0 * a.sqrt().asin() * radius)
}

/// ksqlDB's `Math.toRadians` as Java 8 computes it (`deg / 180 * PI`), which rounds
/// differently from `f64::to_radians` and shows in the last digits of the results.
fn to_radians(degrees: f64) -> f64 {
    degrees / 180.0 * std::f64::consts::PI
}

fn radius(units: Option<&str>) -> Result<f64> {
    let Some(unit) = units
        .map(|u| u.trim().to_lowercase())
        .filter(|u| !u.is_empty())
    else {
        return Ok(EARTH_RADIUS_KM);
    };
    match unit.as_str() {
        "mi" | "mile" | "miles" => Ok(EARTH_RADIUS_MILES),
        "km" | "kilometer" | "kilometers" | "kilometre" | "kilometres" => Ok(EARTH_RADIUS_KM),
        _ => exec_err!(
            "GeoDistance function units parameter must be one of mi, mile, miles, km, kilometer, kilometers, kilometre or kilometres. Values are case-insensitive."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksqldb_distances() {
        // ksqlDB: geodistance.json.
        let d = geo_distance(37.4439, -122.1663, 51.5257, -0.1122, None).unwrap();
        assert_eq!(d, 8634.659796579544);
        let d = geo_distance(37.4439, -122.1663, 51.5257, -0.1122, Some("MI")).unwrap();
        assert_eq!(d, 5365.659729188262);
        let d = geo_distance(39.18660374, -76.73262144, 39.18660374, -76.73222145, None).unwrap();
        assert_eq!(d, 0.03447366811448324);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(geo_distance(91.0, 0.0, 0.0, 0.0, None).is_err());
        assert!(geo_distance(0.0, 181.0, 0.0, 0.0, None).is_err());
        assert!(geo_distance(0.0, 0.0, 0.0, 0.0, Some("parsecs")).is_err());
        assert_eq!(geo_distance(0.0, 0.0, 0.0, 0.0, Some("  ")).unwrap(), 0.0);
    }
}
