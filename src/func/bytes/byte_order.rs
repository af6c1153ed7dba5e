//! Reading fixed-size numbers from BYTES for INT_FROM_BYTES, BIGINT_FROM_BYTES and
//! DOUBLE_FROM_BYTES (ksqlDB `BytesUtils.checkBytesSize` / `byteOrderType`).

use datafusion::common::{Result, exec_err};

/// The `N` bytes of `value` in big-endian order, read in `order` (`BIG_ENDIAN` or
/// `LITTLE_ENDIAN`, any case); ksqlDB errors if the length is not exactly `N`.
pub fn big_endian<const N: usize>(value: &[u8], order: &str) -> Result<[u8; N]> {
    let little = match order.to_ascii_uppercase().as_str() {
        "BIG_ENDIAN" => false,
        "LITTLE_ENDIAN" => true,
        _ => {
            return exec_err!(
                "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte order '{order}'."
            );
        }
    };
    let Ok(mut bytes) = <[u8; N]>::try_from(value) else {
        return exec_err!(
            "Number of bytes must be equal to {N}, but found {}",
            value.len()
        );
    };
    if little {
        bytes.reverse();
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_sizes() {
        assert_eq!(big_endian::<2>(&[1, 2], "BIG_ENDIAN").unwrap(), [1, 2]);
        assert_eq!(big_endian::<2>(&[1, 2], "little_endian").unwrap(), [2, 1]);
        assert!(big_endian::<2>(&[1], "BIG_ENDIAN").is_err());
        assert!(big_endian::<2>(&[1, 2], "MIDDLE").is_err());
    }
}
