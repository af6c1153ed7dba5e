//! The entries of the function catalog: one per built-in function, in name order.

use super::FunctionKind::{Aggregate, Scalar, Table};
use super::{FunctionInfo, Variation};

pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    FunctionInfo {
        name: "ABS",
        kind: Scalar,
        category: "OTHER",
        description: "The absolute value of a number.",
        variations: &[
            Variation {
                params: &["num INT"],
                returns: "INT",
            },
            Variation {
                params: &["num BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["num DECIMAL"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "ACOS",
        kind: Scalar,
        category: "OTHER",
        description: "The inverse cosine of a value, in radians; NaN outside [-1, 1].",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "ARRAY_CONCAT",
        kind: Scalar,
        category: "ARRAY",
        description: "The items of the first array followed by those of the second; a NULL array counts as empty unless both are NULL.",
        variations: &[Variation {
            params: &["left ARRAY<T>", "right ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ARRAY_CONTAINS",
        kind: Scalar,
        category: "ARRAY",
        description: "Whether an array holds a value.",
        variations: &[Variation {
            params: &["array ARRAY<T>", "val T"],
            returns: "BOOLEAN",
        }],
    },
    FunctionInfo {
        name: "ARRAY_DISTINCT",
        kind: Scalar,
        category: "ARRAY",
        description: "The distinct items of an array, in the order they first appear.",
        variations: &[Variation {
            params: &["input ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ARRAY_EXCEPT",
        kind: Scalar,
        category: "ARRAY",
        description: "The distinct items of the first array that the second does not hold, in first-array order.",
        variations: &[Variation {
            params: &["left ARRAY<T>", "right ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ARRAY_INTERSECT",
        kind: Scalar,
        category: "ARRAY",
        description: "The distinct items that both arrays hold, in first-array order.",
        variations: &[Variation {
            params: &["left ARRAY<T>", "right ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ARRAY_JOIN",
        kind: Scalar,
        category: "ARRAY",
        description: "The items of an array of primitive values as text, separated by a delimiter (a comma by default).",
        variations: &[
            Variation {
                params: &["array ARRAY<T>"],
                returns: "STRING",
            },
            Variation {
                params: &["array ARRAY<T>", "delimiter STRING"],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "ARRAY_LENGTH",
        kind: Scalar,
        category: "ARRAY",
        description: "The number of items in an array.",
        variations: &[Variation {
            params: &["array ARRAY<T>"],
            returns: "INT",
        }],
    },
    FunctionInfo {
        name: "ARRAY_MAX",
        kind: Scalar,
        category: "ARRAY",
        description: "The highest non-NULL item of an array of primitive values.",
        variations: &[Variation {
            params: &["input ARRAY<T>"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "ARRAY_MIN",
        kind: Scalar,
        category: "ARRAY",
        description: "The lowest non-NULL item of an array of primitive values.",
        variations: &[Variation {
            params: &["input ARRAY<T>"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "ARRAY_REMOVE",
        kind: Scalar,
        category: "ARRAY",
        description: "An array without any of its items that equal a value.",
        variations: &[Variation {
            params: &["array ARRAY<T>", "element T"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ARRAY_SORT",
        kind: Scalar,
        category: "ARRAY",
        description: "The items of an array of primitive values sorted in 'ASC' (default) or 'DESC' order, NULLs last.",
        variations: &[
            Variation {
                params: &["input ARRAY<T>"],
                returns: "ARRAY<T>",
            },
            Variation {
                params: &["input ARRAY<T>", "direction STRING"],
                returns: "ARRAY<T>",
            },
        ],
    },
    FunctionInfo {
        name: "ARRAY_UNION",
        kind: Scalar,
        category: "ARRAY",
        description: "The distinct items of both arrays, in the order they are met.",
        variations: &[Variation {
            params: &["left ARRAY<T>", "right ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "ASIN",
        kind: Scalar,
        category: "OTHER",
        description: "The inverse sine of a value, in radians; NaN outside [-1, 1].",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "AS_MAP",
        kind: Scalar,
        category: "MAP",
        description: "A map built from an array of keys and an array of values, paired by position.",
        variations: &[Variation {
            params: &["keys ARRAY<STRING>", "vals ARRAY<T>"],
            returns: "MAP<STRING, T>",
        }],
    },
    FunctionInfo {
        name: "AS_VALUE",
        kind: Scalar,
        category: "OTHER",
        description: "Its argument unchanged; used to copy a key column into the value of the rows a query writes.",
        variations: &[Variation {
            params: &["source T"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "ATAN",
        kind: Scalar,
        category: "OTHER",
        description: "The inverse tangent of a value, in radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "ATAN2",
        kind: Scalar,
        category: "OTHER",
        description: "The angle, in radians, of the point (x, y) from the positive x axis: the inverse tangent of y / x that takes the signs of both into account.",
        variations: &[
            Variation {
                params: &["y INT", "x INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y INT", "x BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y INT", "x DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y BIGINT", "x INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y BIGINT", "x BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y BIGINT", "x DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y DOUBLE", "x INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y DOUBLE", "x BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["y DOUBLE", "x DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "ATTR",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The one value the rows of a group agree on (NULL counts as a value), or NULL while they hold more than one.",
        variations: &[Variation {
            params: &["col T"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "AVG",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The mean of the non-NULL values of a column in a group; 0.0 when there are none.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "BIGINT_FROM_BYTES",
        kind: Scalar,
        category: "OTHER",
        description: "Eight bytes read as a BIGINT, big-endian unless the byte order is 'LITTLE_ENDIAN'.",
        variations: &[
            Variation {
                params: &["value BYTES"],
                returns: "BIGINT",
            },
            Variation {
                params: &["value BYTES", "byteOrder STRING"],
                returns: "BIGINT",
            },
        ],
    },
    FunctionInfo {
        name: "CBRT",
        kind: Scalar,
        category: "OTHER",
        description: "The cube root of a value.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "CEIL",
        kind: Scalar,
        category: "OTHER",
        description: "The smallest whole number that is greater than or equal to a number.",
        variations: &[
            Variation {
                params: &["num INT"],
                returns: "INT",
            },
            Variation {
                params: &["num BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["num DECIMAL"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "CHR",
        kind: Scalar,
        category: "OTHER",
        description: "The character for a Unicode code point, given as a decimal number or as an escape such as '\\u004b'.",
        variations: &[
            Variation {
                params: &["decimalCode INT"],
                returns: "STRING",
            },
            Variation {
                params: &["utf16Code STRING"],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "COALESCE",
        kind: Scalar,
        category: "CONDITIONAL",
        description: "The first of its arguments that is not NULL.",
        variations: &[Variation {
            params: &["first T", "others T..."],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "COLLECT_LIST",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "Every value of a column in a group, NULLs included, as an array in input order, up to ksql.functions.collect_list.limit values.",
        variations: &[Variation {
            params: &["val T"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "COLLECT_SET",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The distinct values of a column in a group, as an array in input order, up to ksql.functions.collect_set.limit values.",
        variations: &[Variation {
            params: &["val T"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "CONCAT",
        kind: Scalar,
        category: "OTHER",
        description: "Its string or bytes arguments joined end to end; NULL arguments are skipped.",
        variations: &[
            Variation {
                params: &["inputs STRING..."],
                returns: "STRING",
            },
            Variation {
                params: &["inputs BYTES..."],
                returns: "BYTES",
            },
        ],
    },
    FunctionInfo {
        name: "CONCAT_WS",
        kind: Scalar,
        category: "OTHER",
        description: "Its string or bytes arguments joined with a separator between them; NULL values are skipped and a NULL separator gives NULL.",
        variations: &[
            Variation {
                params: &["separator STRING", "inputs STRING..."],
                returns: "STRING",
            },
            Variation {
                params: &["separator BYTES", "inputs BYTES..."],
                returns: "BYTES",
            },
        ],
    },
    FunctionInfo {
        name: "CONVERT_TZ",
        kind: Scalar,
        category: "OTHER",
        description: "A timestamp read as local time in one time zone, given as local time in another.",
        variations: &[Variation {
            params: &["timestamp TIMESTAMP", "fromTz STRING", "toTz STRING"],
            returns: "TIMESTAMP",
        }],
    },
    FunctionInfo {
        name: "CORRELATION",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The Pearson correlation coefficient of two columns over the rows of a group where both are not NULL.",
        variations: &[Variation {
            params: &["x DOUBLE", "y DOUBLE"],
            returns: "DOUBLE",
        }],
    },
    FunctionInfo {
        name: "COS",
        kind: Scalar,
        category: "OTHER",
        description: "The cosine of an angle given in radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "COSH",
        kind: Scalar,
        category: "OTHER",
        description: "The hyperbolic cosine of a value.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "COT",
        kind: Scalar,
        category: "OTHER",
        description: "The cotangent of an angle given in radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "COUNT",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The number of rows in a group (COUNT(*)), or of rows where a column is not NULL.",
        variations: &[
            Variation {
                params: &[],
                returns: "BIGINT",
            },
            Variation {
                params: &["val T"],
                returns: "BIGINT",
            },
        ],
    },
    FunctionInfo {
        name: "COUNT_DISTINCT",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The number of distinct non-NULL values of a column in a group.",
        variations: &[Variation {
            params: &["val T"],
            returns: "BIGINT",
        }],
    },
    FunctionInfo {
        name: "CUBE_EXPLODE",
        kind: Table,
        category: "TABLE",
        description: "One row for every combination of an array's items with each replaced or not by NULL.",
        variations: &[Variation {
            params: &["columns ARRAY<T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "DATEADD",
        kind: Scalar,
        category: "OTHER",
        description: "A date moved forward by a number of time units.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "date DATE"],
            returns: "DATE",
        }],
    },
    FunctionInfo {
        name: "DATESUB",
        kind: Scalar,
        category: "OTHER",
        description: "A date moved back by a number of time units.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "date DATE"],
            returns: "DATE",
        }],
    },
    FunctionInfo {
        name: "DATETOSTRING",
        kind: Scalar,
        category: "OTHER",
        description: "Deprecated, use FORMAT_DATE: a number of days since the epoch written as a date in a Java DateTimeFormatter pattern.",
        variations: &[Variation {
            params: &["epochDays INT", "formatPattern STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "DEGREES",
        kind: Scalar,
        category: "OTHER",
        description: "Converts an angle from radians to degrees.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "DOUBLE_FROM_BYTES",
        kind: Scalar,
        category: "OTHER",
        description: "Eight bytes read as a DOUBLE, big-endian unless the byte order is 'LITTLE_ENDIAN'.",
        variations: &[
            Variation {
                params: &["value BYTES"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BYTES", "byteOrder STRING"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "EARLIEST_BY_OFFSET",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The first value of a column in a group, in input order, or the first n values as an array; NULLs are skipped unless ignoreNulls is false.",
        variations: &[
            Variation {
                params: &["val T"],
                returns: "T",
            },
            Variation {
                params: &["val T", "ignoreNulls BOOLEAN"],
                returns: "T",
            },
            Variation {
                params: &["val T", "earliestN INT"],
                returns: "ARRAY<T>",
            },
            Variation {
                params: &["val T", "earliestN INT", "ignoreNulls BOOLEAN"],
                returns: "ARRAY<T>",
            },
        ],
    },
    FunctionInfo {
        name: "ELT",
        kind: Scalar,
        category: "OTHER",
        description: "The n-th of its string arguments, counting from 1; NULL when n is out of range.",
        variations: &[Variation {
            params: &["n INT", "args STRING..."],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "ENCODE",
        kind: Scalar,
        category: "OTHER",
        description: "Text read in one encoding and written in another; the encodings are hex, utf8, ascii and base64.",
        variations: &[Variation {
            params: &[
                "str STRING",
                "inputEncoding STRING",
                "outputEncoding STRING",
            ],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "ENTRIES",
        kind: Scalar,
        category: "MAP",
        description: "The entries of a map as an array of structs with fields K and V, sorted by key if asked.",
        variations: &[Variation {
            params: &["map MAP<STRING, T>", "sorted BOOLEAN"],
            returns: "ARRAY<STRUCT<K STRING, V T>>",
        }],
    },
    FunctionInfo {
        name: "EXP",
        kind: Scalar,
        category: "OTHER",
        description: "Euler's number e raised to the power of a value.",
        variations: &[
            Variation {
                params: &["exponent INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["exponent BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["exponent DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "EXPLODE",
        kind: Table,
        category: "TABLE",
        description: "One row for each item of an array; a NULL or empty array gives no row.",
        variations: &[
            Variation {
                params: &["input ARRAY<DECIMAL>"],
                returns: "DECIMAL",
            },
            Variation {
                params: &["list ARRAY<T>"],
                returns: "T",
            },
        ],
    },
    FunctionInfo {
        name: "EXTRACTJSONFIELD",
        kind: Scalar,
        category: "OTHER",
        description: "The value at a JSONPath in JSON text, as a string; NULL when the path does not exist.",
        variations: &[Variation {
            params: &["input STRING", "path STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "FIELD",
        kind: Scalar,
        category: "OTHER",
        description: "The position, counting from 1, of the first of the candidate strings that equals the first argument; 0 if none does.",
        variations: &[Variation {
            params: &["str STRING", "args STRING..."],
            returns: "INT",
        }],
    },
    FunctionInfo {
        name: "FILTER",
        kind: Scalar,
        category: "OTHER",
        description: "The items of an array, or the entries of a map, for which a lambda function is true.",
        variations: &[
            Variation {
                params: &["array ARRAY<T>", "function LAMBDA (T) => BOOLEAN"],
                returns: "ARRAY<T>",
            },
            Variation {
                params: &["map MAP<K, V>", "function LAMBDA (K, V) => BOOLEAN"],
                returns: "MAP<K, V>",
            },
        ],
    },
    FunctionInfo {
        name: "FLOOR",
        kind: Scalar,
        category: "OTHER",
        description: "The largest whole number that is less than or equal to a number.",
        variations: &[
            Variation {
                params: &["num INT"],
                returns: "INT",
            },
            Variation {
                params: &["num BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["num DECIMAL"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "FORMAT_DATE",
        kind: Scalar,
        category: "OTHER",
        description: "A date written in a Java DateTimeFormatter pattern.",
        variations: &[Variation {
            params: &["date DATE", "formatPattern STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "FORMAT_TIME",
        kind: Scalar,
        category: "OTHER",
        description: "A time of day written in a Java DateTimeFormatter pattern.",
        variations: &[Variation {
            params: &["time TIME", "formatPattern STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "FORMAT_TIMESTAMP",
        kind: Scalar,
        category: "OTHER",
        description: "A timestamp written in a Java DateTimeFormatter pattern, in a time zone (UTC by default).",
        variations: &[
            Variation {
                params: &["timestamp TIMESTAMP", "formatPattern STRING"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "timestamp TIMESTAMP",
                    "formatPattern STRING",
                    "timeZone STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "FROM_BYTES",
        kind: Scalar,
        category: "OTHER",
        description: "Bytes turned into text in an encoding: hex, utf8, ascii or base64.",
        variations: &[Variation {
            params: &["bytes BYTES", "encoding STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "FROM_DAYS",
        kind: Scalar,
        category: "OTHER",
        description: "A number of days since the epoch as a date.",
        variations: &[Variation {
            params: &["days INT"],
            returns: "DATE",
        }],
    },
    FunctionInfo {
        name: "FROM_UNIXTIME",
        kind: Scalar,
        category: "OTHER",
        description: "A number of milliseconds since the epoch as a timestamp.",
        variations: &[Variation {
            params: &["epochMilli BIGINT"],
            returns: "TIMESTAMP",
        }],
    },
    FunctionInfo {
        name: "GENERATE_SERIES",
        kind: Scalar,
        category: "ARRAY",
        description: "The numbers from start to end inclusive, a step apart (1, or -1 counting down, by default).",
        variations: &[
            Variation {
                params: &["start INT", "end INT"],
                returns: "ARRAY<INT>",
            },
            Variation {
                params: &["start INT", "end INT", "step INT"],
                returns: "ARRAY<INT>",
            },
            Variation {
                params: &["start BIGINT", "end BIGINT"],
                returns: "ARRAY<BIGINT>",
            },
            Variation {
                params: &["start BIGINT", "end BIGINT", "step INT"],
                returns: "ARRAY<BIGINT>",
            },
        ],
    },
    FunctionInfo {
        name: "GEO_DISTANCE",
        kind: Scalar,
        category: "OTHER",
        description: "The great-circle distance between two points given as latitude and longitude in decimal degrees, in kilometres unless the last argument asks for miles.",
        variations: &[
            Variation {
                params: &[
                    "lat1 DOUBLE",
                    "lon1 DOUBLE",
                    "lat2 DOUBLE",
                    "lon2 DOUBLE",
                    "units STRING",
                ],
                returns: "DOUBLE",
            },
            Variation {
                params: &["lat1 DOUBLE", "lon1 DOUBLE", "lat2 DOUBLE", "lon2 DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "GREATEST",
        kind: Scalar,
        category: "OTHER",
        description: "The highest of its arguments, ignoring NULLs; NULL when every argument is NULL.",
        variations: &[
            Variation {
                params: &["val INT", "vals INT..."],
                returns: "INT",
            },
            Variation {
                params: &["val BIGINT", "vals BIGINT..."],
                returns: "BIGINT",
            },
            Variation {
                params: &["val DOUBLE", "vals DOUBLE..."],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DECIMAL", "vals DECIMAL..."],
                returns: "DECIMAL",
            },
            Variation {
                params: &["val STRING", "vals STRING..."],
                returns: "STRING",
            },
            Variation {
                params: &["val BYTES", "vals BYTES..."],
                returns: "BYTES",
            },
            Variation {
                params: &["val DATE", "vals DATE..."],
                returns: "DATE",
            },
            Variation {
                params: &["val TIME", "vals TIME..."],
                returns: "TIME",
            },
            Variation {
                params: &["val TIMESTAMP", "vals TIMESTAMP..."],
                returns: "TIMESTAMP",
            },
        ],
    },
    FunctionInfo {
        name: "HISTOGRAM",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "How many times each non-NULL value of a string column occurs in a group, for up to 1000 distinct values.",
        variations: &[Variation {
            params: &["val STRING"],
            returns: "MAP<STRING, BIGINT>",
        }],
    },
    FunctionInfo {
        name: "IFNULL",
        kind: Scalar,
        category: "CONDITIONAL",
        description: "An expression's value, or an alternative value when it is NULL.",
        variations: &[Variation {
            params: &["expression T", "altValue T"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "INITCAP",
        kind: Scalar,
        category: "OTHER",
        description: "Text with the first letter of each whitespace-separated word in upper case and the rest in lower case.",
        variations: &[Variation {
            params: &["str STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "INSTR",
        kind: Scalar,
        category: "OTHER",
        description: "The position, counting from 1, of an occurrence of a substring, searching from a start position (from the end when negative); 0 if not found.",
        variations: &[
            Variation {
                params: &["str STRING", "substring STRING"],
                returns: "INT",
            },
            Variation {
                params: &["str STRING", "substring STRING", "position INT"],
                returns: "INT",
            },
            Variation {
                params: &[
                    "str STRING",
                    "substring STRING",
                    "position INT",
                    "occurrence INT",
                ],
                returns: "INT",
            },
        ],
    },
    FunctionInfo {
        name: "INT_FROM_BYTES",
        kind: Scalar,
        category: "OTHER",
        description: "Four bytes read as an INT, big-endian unless the byte order is 'LITTLE_ENDIAN'.",
        variations: &[
            Variation {
                params: &["value BYTES"],
                returns: "INT",
            },
            Variation {
                params: &["value BYTES", "byteOrder STRING"],
                returns: "INT",
            },
        ],
    },
    FunctionInfo {
        name: "IS_JSON_STRING",
        kind: Scalar,
        category: "OTHER",
        description: "Whether text parses as a JSON value; never NULL.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "BOOLEAN",
        }],
    },
    FunctionInfo {
        name: "JSON_ARRAY_CONTAINS",
        kind: Scalar,
        category: "OTHER",
        description: "Whether JSON text holding an array has a value among its top-level items.",
        variations: &[Variation {
            params: &["jsonArray STRING", "val T"],
            returns: "BOOLEAN",
        }],
    },
    FunctionInfo {
        name: "JSON_ARRAY_LENGTH",
        kind: Scalar,
        category: "OTHER",
        description: "The number of top-level items in JSON text holding an array.",
        variations: &[Variation {
            params: &["jsonArray STRING"],
            returns: "INT",
        }],
    },
    FunctionInfo {
        name: "JSON_CONCAT",
        kind: Scalar,
        category: "OTHER",
        description: "JSON texts merged into one: objects into an object with every key, anything else into one array.",
        variations: &[Variation {
            params: &["json STRING", "others STRING..."],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "JSON_ITEMS",
        kind: Scalar,
        category: "OTHER",
        description: "The items of JSON text holding an array of objects, each as JSON text.",
        variations: &[Variation {
            params: &["jsonArray STRING"],
            returns: "ARRAY<STRING>",
        }],
    },
    FunctionInfo {
        name: "JSON_KEYS",
        kind: Scalar,
        category: "OTHER",
        description: "The top-level keys of JSON text holding an object.",
        variations: &[Variation {
            params: &["jsonObj STRING"],
            returns: "ARRAY<STRING>",
        }],
    },
    FunctionInfo {
        name: "JSON_RECORDS",
        kind: Scalar,
        category: "OTHER",
        description: "The top-level entries of JSON text holding an object, values as JSON text.",
        variations: &[Variation {
            params: &["jsonObj STRING"],
            returns: "MAP<STRING, STRING>",
        }],
    },
    FunctionInfo {
        name: "LATEST_BY_OFFSET",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The last value of a column in a group, in input order, or the last n values as an array; NULLs are skipped unless ignoreNulls is false.",
        variations: &[
            Variation {
                params: &["val T"],
                returns: "T",
            },
            Variation {
                params: &["val T", "ignoreNulls BOOLEAN"],
                returns: "T",
            },
            Variation {
                params: &["val T", "latestN INT"],
                returns: "ARRAY<T>",
            },
            Variation {
                params: &["val T", "latestN INT", "ignoreNulls BOOLEAN"],
                returns: "ARRAY<T>",
            },
        ],
    },
    FunctionInfo {
        name: "LCASE",
        kind: Scalar,
        category: "OTHER",
        description: "Text in lower case.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "LEAST",
        kind: Scalar,
        category: "OTHER",
        description: "The lowest of its arguments, ignoring NULLs; NULL when every argument is NULL.",
        variations: &[
            Variation {
                params: &["val INT", "vals INT..."],
                returns: "INT",
            },
            Variation {
                params: &["val BIGINT", "vals BIGINT..."],
                returns: "BIGINT",
            },
            Variation {
                params: &["val DOUBLE", "vals DOUBLE..."],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DECIMAL", "vals DECIMAL..."],
                returns: "DECIMAL",
            },
            Variation {
                params: &["val STRING", "vals STRING..."],
                returns: "STRING",
            },
            Variation {
                params: &["val BYTES", "vals BYTES..."],
                returns: "BYTES",
            },
            Variation {
                params: &["val DATE", "vals DATE..."],
                returns: "DATE",
            },
            Variation {
                params: &["val TIME", "vals TIME..."],
                returns: "TIME",
            },
            Variation {
                params: &["val TIMESTAMP", "vals TIMESTAMP..."],
                returns: "TIMESTAMP",
            },
        ],
    },
    FunctionInfo {
        name: "LEN",
        kind: Scalar,
        category: "OTHER",
        description: "The length of a string in UTF-16 code units (as Java counts it), or the number of bytes of a BYTES value.",
        variations: &[
            Variation {
                params: &["input STRING"],
                returns: "INT",
            },
            Variation {
                params: &["input BYTES"],
                returns: "INT",
            },
        ],
    },
    FunctionInfo {
        name: "LN",
        kind: Scalar,
        category: "OTHER",
        description: "The natural logarithm of a value.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "LOG",
        kind: Scalar,
        category: "OTHER",
        description: "The natural logarithm of a value, or with two arguments the logarithm of the value in the given base.",
        variations: &[
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["base DOUBLE", "value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "LPAD",
        kind: Scalar,
        category: "OTHER",
        description: "A string or bytes value padded at the start with repeats of a padding to a length, or cut to it.",
        variations: &[
            Variation {
                params: &["input STRING", "length INT", "padding STRING"],
                returns: "STRING",
            },
            Variation {
                params: &["input BYTES", "length INT", "padding BYTES"],
                returns: "BYTES",
            },
        ],
    },
    FunctionInfo {
        name: "MAP_KEYS",
        kind: Scalar,
        category: "MAP",
        description: "The keys of a map, as an array.",
        variations: &[Variation {
            params: &["input MAP<STRING, T>"],
            returns: "ARRAY<STRING>",
        }],
    },
    FunctionInfo {
        name: "MAP_UNION",
        kind: Scalar,
        category: "MAP",
        description: "Every entry of two maps, the second map's value where both have a key; NULL only when both maps are NULL.",
        variations: &[Variation {
            params: &["map1 MAP<STRING, T>", "map2 MAP<STRING, T>"],
            returns: "MAP<STRING, T>",
        }],
    },
    FunctionInfo {
        name: "MAP_VALUES",
        kind: Scalar,
        category: "MAP",
        description: "The values of a map, as an array.",
        variations: &[Variation {
            params: &["input MAP<STRING, T>"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "MASK",
        kind: Scalar,
        category: "OTHER",
        description: "Text with every character masked: upper-case letters become X, lower-case x, digits n and the rest -, unless other mask characters are given (NULL keeps that kind).",
        variations: &[
            Variation {
                params: &["input STRING"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "input STRING",
                    "upper STRING",
                    "lower STRING",
                    "digit STRING",
                    "other STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "MASK_KEEP_LEFT",
        kind: Scalar,
        category: "OTHER",
        description: "Like MASK, but leaves the first numChars characters unmasked.",
        variations: &[
            Variation {
                params: &["input STRING", "numChars INT"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "input STRING",
                    "numChars INT",
                    "upper STRING",
                    "lower STRING",
                    "digit STRING",
                    "other STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "MASK_KEEP_RIGHT",
        kind: Scalar,
        category: "OTHER",
        description: "Like MASK, but leaves the last numChars characters unmasked.",
        variations: &[
            Variation {
                params: &["input STRING", "numChars INT"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "input STRING",
                    "numChars INT",
                    "upper STRING",
                    "lower STRING",
                    "digit STRING",
                    "other STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "MASK_LEFT",
        kind: Scalar,
        category: "OTHER",
        description: "Like MASK, but masks only the first numChars characters.",
        variations: &[
            Variation {
                params: &["input STRING", "numChars INT"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "input STRING",
                    "numChars INT",
                    "upper STRING",
                    "lower STRING",
                    "digit STRING",
                    "other STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "MASK_RIGHT",
        kind: Scalar,
        category: "OTHER",
        description: "Like MASK, but masks only the last numChars characters.",
        variations: &[
            Variation {
                params: &["input STRING", "numChars INT"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "input STRING",
                    "numChars INT",
                    "upper STRING",
                    "lower STRING",
                    "digit STRING",
                    "other STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "MAX",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The highest non-NULL value of a column in a group.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "INT",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DECIMAL"],
                returns: "DECIMAL",
            },
            Variation {
                params: &["val STRING"],
                returns: "STRING",
            },
            Variation {
                params: &["val BYTES"],
                returns: "BYTES",
            },
            Variation {
                params: &["val DATE"],
                returns: "DATE",
            },
            Variation {
                params: &["val TIME"],
                returns: "TIME",
            },
            Variation {
                params: &["val TIMESTAMP"],
                returns: "TIMESTAMP",
            },
        ],
    },
    FunctionInfo {
        name: "MD5",
        kind: Scalar,
        category: "OTHER",
        description: "The MD5 hash of a string, as hexadecimal text.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "MIN",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The lowest non-NULL value of a column in a group.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "INT",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DECIMAL"],
                returns: "DECIMAL",
            },
            Variation {
                params: &["val STRING"],
                returns: "STRING",
            },
            Variation {
                params: &["val BYTES"],
                returns: "BYTES",
            },
            Variation {
                params: &["val DATE"],
                returns: "DATE",
            },
            Variation {
                params: &["val TIME"],
                returns: "TIME",
            },
            Variation {
                params: &["val TIMESTAMP"],
                returns: "TIMESTAMP",
            },
        ],
    },
    FunctionInfo {
        name: "NULLIF",
        kind: Scalar,
        category: "CONDITIONAL",
        description: "NULL when two values are equal, otherwise the first.",
        variations: &[Variation {
            params: &["expression1 T", "expression2 T"],
            returns: "T",
        }],
    },
    FunctionInfo {
        name: "PARSE_DATE",
        kind: Scalar,
        category: "OTHER",
        description: "Text read as a date with a Java DateTimeFormatter pattern.",
        variations: &[Variation {
            params: &["formattedDate STRING", "formatPattern STRING"],
            returns: "DATE",
        }],
    },
    FunctionInfo {
        name: "PARSE_TIME",
        kind: Scalar,
        category: "OTHER",
        description: "Text read as a time of day with a Java DateTimeFormatter pattern.",
        variations: &[Variation {
            params: &["formattedTime STRING", "formatPattern STRING"],
            returns: "TIME",
        }],
    },
    FunctionInfo {
        name: "PARSE_TIMESTAMP",
        kind: Scalar,
        category: "OTHER",
        description: "Text read as a timestamp with a Java DateTimeFormatter pattern, in a time zone (UTC by default) unless the text names one.",
        variations: &[
            Variation {
                params: &["formattedTimestamp STRING", "formatPattern STRING"],
                returns: "TIMESTAMP",
            },
            Variation {
                params: &[
                    "formattedTimestamp STRING",
                    "formatPattern STRING",
                    "timeZone STRING",
                ],
                returns: "TIMESTAMP",
            },
        ],
    },
    FunctionInfo {
        name: "PI",
        kind: Scalar,
        category: "OTHER",
        description: "The constant pi, the ratio of a circle's circumference to its diameter.",
        variations: &[Variation {
            params: &[],
            returns: "DOUBLE",
        }],
    },
    FunctionInfo {
        name: "POWER",
        kind: Scalar,
        category: "OTHER",
        description: "A base raised to an exponent.",
        variations: &[
            Variation {
                params: &["base INT", "exponent INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["base BIGINT", "exponent BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["base DOUBLE", "exponent DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "RADIANS",
        kind: Scalar,
        category: "OTHER",
        description: "Converts an angle from degrees to radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "RANDOM",
        kind: Scalar,
        category: "OTHER",
        description: "A random number from 0.0 (inclusive) to 1.0 (exclusive), different on every call.",
        variations: &[Variation {
            params: &[],
            returns: "DOUBLE",
        }],
    },
    FunctionInfo {
        name: "REDUCE",
        kind: Scalar,
        category: "OTHER",
        description: "Folds an array or a map into one value: a lambda function takes the state and each item (or key and value) in turn and gives the next state, starting from an initial state.",
        variations: &[
            Variation {
                params: &[
                    "array ARRAY<T>",
                    "initialState U",
                    "function LAMBDA (U, T) => U",
                ],
                returns: "U",
            },
            Variation {
                params: &[
                    "map MAP<K, V>",
                    "initialState U",
                    "function LAMBDA (U, K, V) => U",
                ],
                returns: "U",
            },
        ],
    },
    FunctionInfo {
        name: "REGEXP_EXTRACT",
        kind: Scalar,
        category: "OTHER",
        description: "The first match of a regular expression in a string, or one capturing group of it; NULL when nothing matches.",
        variations: &[
            Variation {
                params: &["pattern STRING", "input STRING"],
                returns: "STRING",
            },
            Variation {
                params: &["pattern STRING", "input STRING", "group INT"],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "REGEXP_EXTRACT_ALL",
        kind: Scalar,
        category: "OTHER",
        description: "Every match of a regular expression in a string, or one capturing group of each.",
        variations: &[
            Variation {
                params: &["pattern STRING", "input STRING"],
                returns: "ARRAY<STRING>",
            },
            Variation {
                params: &["pattern STRING", "input STRING", "group INT"],
                returns: "ARRAY<STRING>",
            },
        ],
    },
    FunctionInfo {
        name: "REGEXP_REPLACE",
        kind: Scalar,
        category: "OTHER",
        description: "A string with every match of a regular expression replaced.",
        variations: &[Variation {
            params: &["input STRING", "regex STRING", "replacement STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "REGEXP_SPLIT_TO_ARRAY",
        kind: Scalar,
        category: "OTHER",
        description: "A string cut at every match of a regular expression.",
        variations: &[Variation {
            params: &["input STRING", "regex STRING"],
            returns: "ARRAY<STRING>",
        }],
    },
    FunctionInfo {
        name: "REPLACE",
        kind: Scalar,
        category: "OTHER",
        description: "A string with every occurrence of a substring replaced by another string.",
        variations: &[Variation {
            params: &["str STRING", "oldStr STRING", "newStr STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "ROUND",
        kind: Scalar,
        category: "OTHER",
        description: "A number rounded to the nearest whole number, or to a number of decimal places; halves round up, toward positive infinity.",
        variations: &[
            Variation {
                params: &["num BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num INT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE", "decimalPlaces INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["num DECIMAL"],
                returns: "DECIMAL",
            },
            Variation {
                params: &["num DECIMAL", "decimalPlaces INT"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "RPAD",
        kind: Scalar,
        category: "OTHER",
        description: "A string or bytes value padded at the end with repeats of a padding to a length, or cut to it.",
        variations: &[
            Variation {
                params: &["input STRING", "length INT", "padding STRING"],
                returns: "STRING",
            },
            Variation {
                params: &["input BYTES", "length INT", "padding BYTES"],
                returns: "BYTES",
            },
        ],
    },
    FunctionInfo {
        name: "SIGN",
        kind: Scalar,
        category: "OTHER",
        description: "The sign of a number: -1 if it is negative, 0 if it is zero, 1 if it is positive.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "INT",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "INT",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "INT",
            },
        ],
    },
    FunctionInfo {
        name: "SIN",
        kind: Scalar,
        category: "OTHER",
        description: "The sine of an angle given in radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "SINH",
        kind: Scalar,
        category: "OTHER",
        description: "The hyperbolic sine of a value.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "SLICE",
        kind: Scalar,
        category: "ARRAY",
        description: "The items of an array from one position to another, both included, counting from 1.",
        variations: &[Variation {
            params: &["array ARRAY<T>", "from INT", "to INT"],
            returns: "ARRAY<T>",
        }],
    },
    FunctionInfo {
        name: "SPLIT",
        kind: Scalar,
        category: "OTHER",
        description: "A string or bytes value cut at every occurrence of a literal delimiter; an empty delimiter splits every character or byte.",
        variations: &[
            Variation {
                params: &["input STRING", "delimiter STRING"],
                returns: "ARRAY<STRING>",
            },
            Variation {
                params: &["input BYTES", "delimiter BYTES"],
                returns: "ARRAY<BYTES>",
            },
        ],
    },
    FunctionInfo {
        name: "SPLIT_TO_MAP",
        kind: Scalar,
        category: "OTHER",
        description: "A map read from text: entries are separated by one delimiter, and keys from values by another; a repeated key keeps its last value.",
        variations: &[Variation {
            params: &[
                "input STRING",
                "entryDelimiter STRING",
                "kvDelimiter STRING",
            ],
            returns: "MAP<STRING, STRING>",
        }],
    },
    FunctionInfo {
        name: "SQRT",
        kind: Scalar,
        category: "OTHER",
        description: "The square root of a value; NaN for a negative value.",
        variations: &[Variation {
            params: &["value DOUBLE"],
            returns: "DOUBLE",
        }],
    },
    FunctionInfo {
        name: "STDDEV_POP",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The population standard deviation of the non-NULL values of a column in a group; 0.0 for none. Not in ksqlDB.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "STDDEV_SAMP",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The sample variance of the non-NULL values of a column in a group (as ksqlDB computes it; STDDEV_SAMPLE gives its square root); 0.0 for fewer than two values.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "STDDEV_SAMPLE",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The sample standard deviation of the non-NULL values of a column in a group; 0.0 for fewer than two values.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "STRINGTODATE",
        kind: Scalar,
        category: "OTHER",
        description: "Deprecated, use PARSE_DATE: text read as a date with a Java DateTimeFormatter pattern, given as days since the epoch.",
        variations: &[Variation {
            params: &["formattedDate STRING", "formatPattern STRING"],
            returns: "INT",
        }],
    },
    FunctionInfo {
        name: "STRINGTOTIMESTAMP",
        kind: Scalar,
        category: "OTHER",
        description: "Deprecated, use PARSE_TIMESTAMP: text read as a timestamp with a Java DateTimeFormatter pattern, given as milliseconds since the epoch.",
        variations: &[
            Variation {
                params: &["formattedTimestamp STRING", "formatPattern STRING"],
                returns: "BIGINT",
            },
            Variation {
                params: &[
                    "formattedTimestamp STRING",
                    "formatPattern STRING",
                    "timeZone STRING",
                ],
                returns: "BIGINT",
            },
        ],
    },
    FunctionInfo {
        name: "SUBSTRING",
        kind: Scalar,
        category: "OTHER",
        description: "The part of a string or bytes value that starts at a position (counting from 1, or back from the end when negative), to the end or for a length.",
        variations: &[
            Variation {
                params: &["str STRING", "pos INT"],
                returns: "STRING",
            },
            Variation {
                params: &["str STRING", "pos INT", "length INT"],
                returns: "STRING",
            },
            Variation {
                params: &["bytes BYTES", "pos INT"],
                returns: "BYTES",
            },
            Variation {
                params: &["bytes BYTES", "pos INT", "length INT"],
                returns: "BYTES",
            },
        ],
    },
    FunctionInfo {
        name: "SUM",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The sum of the non-NULL values of a column in a group; 0 when there are none.",
        variations: &[
            Variation {
                params: &["val INT"],
                returns: "INT",
            },
            Variation {
                params: &["val BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["val DOUBLE"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["val DECIMAL"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "SUM_LIST",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The sum of every item of an array column over the rows of a group.",
        variations: &[
            Variation {
                params: &["list ARRAY<INT>"],
                returns: "INT",
            },
            Variation {
                params: &["list ARRAY<BIGINT>"],
                returns: "BIGINT",
            },
            Variation {
                params: &["list ARRAY<DOUBLE>"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "TAN",
        kind: Scalar,
        category: "OTHER",
        description: "The tangent of an angle given in radians.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "TANH",
        kind: Scalar,
        category: "OTHER",
        description: "The hyperbolic tangent of a value.",
        variations: &[
            Variation {
                params: &["value INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value BIGINT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["value DOUBLE"],
                returns: "DOUBLE",
            },
        ],
    },
    FunctionInfo {
        name: "TIMEADD",
        kind: Scalar,
        category: "OTHER",
        description: "A time of day moved forward by a number of time units, wrapping around midnight.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "time TIME"],
            returns: "TIME",
        }],
    },
    FunctionInfo {
        name: "TIMESTAMPADD",
        kind: Scalar,
        category: "OTHER",
        description: "A timestamp moved forward by a number of time units.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "timestamp TIMESTAMP"],
            returns: "TIMESTAMP",
        }],
    },
    FunctionInfo {
        name: "TIMESTAMPSUB",
        kind: Scalar,
        category: "OTHER",
        description: "A timestamp moved back by a number of time units.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "timestamp TIMESTAMP"],
            returns: "TIMESTAMP",
        }],
    },
    FunctionInfo {
        name: "TIMESTAMPTOSTRING",
        kind: Scalar,
        category: "OTHER",
        description: "Deprecated, use FORMAT_TIMESTAMP: milliseconds since the epoch written in a Java DateTimeFormatter pattern, in a time zone (UTC by default).",
        variations: &[
            Variation {
                params: &["epochMilli BIGINT", "formatPattern STRING"],
                returns: "STRING",
            },
            Variation {
                params: &[
                    "epochMilli BIGINT",
                    "formatPattern STRING",
                    "timeZone STRING",
                ],
                returns: "STRING",
            },
        ],
    },
    FunctionInfo {
        name: "TIMESUB",
        kind: Scalar,
        category: "OTHER",
        description: "A time of day moved back by a number of time units, wrapping around midnight.",
        variations: &[Variation {
            params: &["unit INTERVALUNIT", "interval INT", "time TIME"],
            returns: "TIME",
        }],
    },
    FunctionInfo {
        name: "TOPK",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The k highest non-NULL values of a column in a group, highest first; with other columns between, each as a struct carrying them along.",
        variations: &[
            Variation {
                params: &["val INT", "k INT"],
                returns: "ARRAY<INT>",
            },
            Variation {
                params: &["val BIGINT", "k INT"],
                returns: "ARRAY<BIGINT>",
            },
            Variation {
                params: &["val DOUBLE", "k INT"],
                returns: "ARRAY<DOUBLE>",
            },
            Variation {
                params: &["val DECIMAL", "k INT"],
                returns: "ARRAY<DECIMAL>",
            },
            Variation {
                params: &["val STRING", "k INT"],
                returns: "ARRAY<STRING>",
            },
            Variation {
                params: &["val DATE", "k INT"],
                returns: "ARRAY<DATE>",
            },
            Variation {
                params: &["val TIME", "k INT"],
                returns: "ARRAY<TIME>",
            },
            Variation {
                params: &["val TIMESTAMP", "k INT"],
                returns: "ARRAY<TIMESTAMP>",
            },
            Variation {
                params: &["sortCol T", "otherCols U...", "k INT"],
                returns: "ARRAY<STRUCT>",
            },
        ],
    },
    FunctionInfo {
        name: "TOPKDISTINCT",
        kind: Aggregate,
        category: "AGGREGATE",
        description: "The k highest distinct non-NULL values of a column in a group, highest first.",
        variations: &[
            Variation {
                params: &["val INT", "k INT"],
                returns: "ARRAY<INT>",
            },
            Variation {
                params: &["val BIGINT", "k INT"],
                returns: "ARRAY<BIGINT>",
            },
            Variation {
                params: &["val DOUBLE", "k INT"],
                returns: "ARRAY<DOUBLE>",
            },
            Variation {
                params: &["val DECIMAL", "k INT"],
                returns: "ARRAY<DECIMAL>",
            },
            Variation {
                params: &["val STRING", "k INT"],
                returns: "ARRAY<STRING>",
            },
            Variation {
                params: &["val DATE", "k INT"],
                returns: "ARRAY<DATE>",
            },
            Variation {
                params: &["val TIME", "k INT"],
                returns: "ARRAY<TIME>",
            },
            Variation {
                params: &["val TIMESTAMP", "k INT"],
                returns: "ARRAY<TIMESTAMP>",
            },
        ],
    },
    FunctionInfo {
        name: "TO_BYTES",
        kind: Scalar,
        category: "OTHER",
        description: "Text read in an encoding (hex, utf8, ascii or base64) as bytes.",
        variations: &[Variation {
            params: &["input STRING", "encoding STRING"],
            returns: "BYTES",
        }],
    },
    FunctionInfo {
        name: "TO_JSON_STRING",
        kind: Scalar,
        category: "OTHER",
        description: "Any value written as JSON text.",
        variations: &[Variation {
            params: &["input T"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "TRANSFORM",
        kind: Scalar,
        category: "OTHER",
        description: "Applies a lambda function to every item of an array, or two lambda functions to the key and the value of every map entry.",
        variations: &[
            Variation {
                params: &["array ARRAY<T>", "function LAMBDA (T) => U"],
                returns: "ARRAY<U>",
            },
            Variation {
                params: &[
                    "map MAP<K, V>",
                    "keyFunction LAMBDA (K, V) => T",
                    "valueFunction LAMBDA (K, V) => U",
                ],
                returns: "MAP<T, U>",
            },
        ],
    },
    FunctionInfo {
        name: "TRIM",
        kind: Scalar,
        category: "OTHER",
        description: "Text without its leading and trailing whitespace.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "TRUNC",
        kind: Scalar,
        category: "OTHER",
        description: "A number cut toward zero to a whole number, or to a number of decimal places.",
        variations: &[
            Variation {
                params: &["num BIGINT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num INT"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE"],
                returns: "BIGINT",
            },
            Variation {
                params: &["num DOUBLE", "decimalPlaces INT"],
                returns: "DOUBLE",
            },
            Variation {
                params: &["num DECIMAL"],
                returns: "DECIMAL",
            },
            Variation {
                params: &["num DECIMAL", "decimalPlaces INT"],
                returns: "DECIMAL",
            },
        ],
    },
    FunctionInfo {
        name: "UCASE",
        kind: Scalar,
        category: "OTHER",
        description: "Text in upper case.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "UNIX_DATE",
        kind: Scalar,
        category: "OTHER",
        description: "The number of days since the epoch of a date, or of today without an argument.",
        variations: &[
            Variation {
                params: &[],
                returns: "INT",
            },
            Variation {
                params: &["date DATE"],
                returns: "INT",
            },
        ],
    },
    FunctionInfo {
        name: "UNIX_TIMESTAMP",
        kind: Scalar,
        category: "OTHER",
        description: "The number of milliseconds since the epoch of a timestamp, or of now without an argument.",
        variations: &[
            Variation {
                params: &[],
                returns: "BIGINT",
            },
            Variation {
                params: &["timestamp TIMESTAMP"],
                returns: "BIGINT",
            },
        ],
    },
    FunctionInfo {
        name: "URL_DECODE_PARAM",
        kind: Scalar,
        category: "URL",
        description: "Text decoded from the application/x-www-form-urlencoded form.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_ENCODE_PARAM",
        kind: Scalar,
        category: "URL",
        description: "Text encoded in the application/x-www-form-urlencoded form.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_FRAGMENT",
        kind: Scalar,
        category: "URL",
        description: "The decoded fragment of a URL; NULL if it has none.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_HOST",
        kind: Scalar,
        category: "URL",
        description: "The host of a URL; NULL if it has none.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_PARAMETER",
        kind: Scalar,
        category: "URL",
        description: "The decoded value of a query parameter of a URL; NULL if it is absent.",
        variations: &[Variation {
            params: &["input STRING", "paramToFind STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_PATH",
        kind: Scalar,
        category: "URL",
        description: "The decoded path of a URL.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_PORT",
        kind: Scalar,
        category: "URL",
        description: "The port of a URL; NULL if it names none.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "INT",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_PROTOCOL",
        kind: Scalar,
        category: "URL",
        description: "The protocol (scheme) of a URL; NULL if it has none.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "URL_EXTRACT_QUERY",
        kind: Scalar,
        category: "URL",
        description: "The decoded query of a URL; NULL if it has none.",
        variations: &[Variation {
            params: &["input STRING"],
            returns: "STRING",
        }],
    },
    FunctionInfo {
        name: "UUID",
        kind: Scalar,
        category: "OTHER",
        description: "A new random (version 4) UUID, or the UUID whose 16 bytes are given (NULL for any other length), as text.",
        variations: &[
            Variation {
                params: &[],
                returns: "STRING",
            },
            Variation {
                params: &["bytes BYTES"],
                returns: "STRING",
            },
        ],
    },
];
