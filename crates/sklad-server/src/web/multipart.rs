//! A minimal `multipart/form-data` reader for the one upload the pages take (the
//! backup archive). Bounded by the request body limit; never panics on any input.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The `name` of the form field.
    pub name: String,
    /// The `filename`, for file fields.
    pub filename: Option<String>,
    /// The raw bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim().trim_matches('"');
        (!value.is_empty() && value.len() <= 200).then(|| value.to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn header_param(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The parts of `body`; `None` when it is not well-formed multipart with `boundary`.
pub fn parse(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = &body[find(body, delimiter)? + delimiter.len()..];
    let mut parts = Vec::new();
    // Each iteration consumes one part; a body of n bytes has fewer than n parts.
    for _ in 0..=body.len() {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let header_end = find(rest, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&rest[..header_end]).ok()?;
        let content = &rest[header_end + 4..];
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(delimiter);
        let end = find(content, &closing)?;
        let disposition = headers.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-disposition")
                .then_some(value)
        })?;
        parts.push(Part {
            name: header_param(disposition, "name")?,
            filename: header_param(disposition, "filename"),
            data: content[..end].to_vec(),
        });
        rest = &content[end + closing.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"f.gz\"\r\nContent-Type: application/gzip\r\n\r\n\x1f\x8b\r\n\x00\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ").expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "csrf");
        assert_eq!(parts[0].data, b"abc");
        assert_eq!(parts[1].filename.as_deref(), Some("f.gz"));
        assert_eq!(parts[1].data, b"\x1f\x8b\r\n\x00");
        assert_eq!(
            boundary("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(boundary("application/json"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any body, any boundary: an answer, never a panic.
        #[test]
        fn never_panics_on_any_input(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            boundary in "[a-zA-Z0-9-]{0,12}",
        ) {
            let _ = parse(&body, &boundary);
            let _ = super::boundary(&format!("multipart/form-data; boundary={boundary}"));
        }

        /// A well-formed body round-trips whatever bytes the file holds.
        #[test]
        fn reads_back_any_file(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let boundary = "----skladBoundary7MA4YWxk";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"archive\"; filename=\"a.gz\"\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(&data);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            let parts = parse(&body, boundary).expect("parses");
            proptest::prop_assert_eq!(&parts[0].data, &data);
        }
    }

    #[test]
    fn never_panics_on_garbage() {
        for body in [
            &b""[..],
            b"--b",
            b"--b\r\n",
            b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
            b"--b\r\n\r\n\r\n--b",
            b"\xff\xfe--b\r\n\xff: \xff\r\n\r\n\r\n--b--",
        ] {
            let _ = parse(body, "b");
        }
    }
}
