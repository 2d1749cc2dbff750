//! Screenshots as files: PNG (the `png` crate, fast compression) or JPEG (`jpeg-encoder`),
//! optionally scaled down first (an area average, so text stays legible).

use super::x11::Rgb;
use crate::agent::error::ToolboxError;

/// The formats a compressed screenshot may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Lossless.
    Png,
    /// Lossy, with a quality of 1–100.
    Jpeg(u8),
}

impl Format {
    /// From the query's `format` and `quality` (JPEG's default 85).
    pub fn parse(format: Option<&str>, quality: Option<u8>) -> Result<Self, ToolboxError> {
        let quality = quality.unwrap_or(85);
        if quality > 100 {
            return Err(ToolboxError::BadRequest(format!("quality must be 0-100, not {quality}")));
        }
        // The SDKs document 0-100; 0 is the lowest JPEG quality there is, 1.
        let quality = quality.max(1);
        match format.unwrap_or("png").to_ascii_lowercase().as_str() {
            "png" => Ok(Self::Png),
            "jpeg" | "jpg" => Ok(Self::Jpeg(quality)),
            other => Err(ToolboxError::BadRequest(format!("format must be png or jpeg, not {other:?}"))),
        }
    }
}

/// `image` scaled by `factor` (0.1–1.0): each target pixel the average of the source pixels
/// it covers.
pub fn scale(image: Rgb, factor: f64) -> Result<Rgb, ToolboxError> {
    if !(0.1..=1.0).contains(&factor) {
        return Err(ToolboxError::BadRequest(format!("scale must be 0.1-1.0, not {factor}")));
    }
    if factor >= 1.0 {
        return Ok(image);
    }
    let width = ((f64::from(image.width) * factor).round() as u32).max(1);
    let height = ((f64::from(image.height) * factor).round() as u32).max(1);
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    let span = |i: u32, target: u32, source: u32| {
        let start = (u64::from(i) * u64::from(source) / u64::from(target)) as u32;
        let end = ((u64::from(i + 1) * u64::from(source)).div_ceil(u64::from(target)) as u32).clamp(start + 1, source);
        start..end
    };
    for ty in 0..height {
        let rows = span(ty, height, image.height);
        for tx in 0..width {
            let cols = span(tx, width, image.width);
            let mut sum = [0u32; 3];
            for sy in rows.clone() {
                for sx in cols.clone() {
                    let at = (sy as usize * image.width as usize + sx as usize) * 3;
                    for (c, total) in sum.iter_mut().enumerate() {
                        *total += u32::from(image.pixels[at + c]);
                    }
                }
            }
            let n = rows.len() as u32 * cols.len() as u32;
            pixels.extend(sum.map(|total| (total / n) as u8));
        }
    }
    Ok(Rgb { width, height, pixels })
}

/// `image` encoded as `format`.
pub fn encode(image: &Rgb, format: Format) -> Result<Vec<u8>, ToolboxError> {
    let failed = |e: &dyn std::fmt::Display| ToolboxError::Io(format!("encoding the screenshot: {e}"));
    let mut out = Vec::new();
    match format {
        Format::Png => {
            let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Fast);
            let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
            writer.write_image_data(&image.pixels).map_err(|e| failed(&e))?;
        }
        Format::Jpeg(quality) => {
            let encoder = jpeg_encoder::Encoder::new(&mut out, quality);
            let (w, h) = (image.width as u16, image.height as u16);
            encoder.encode(&image.pixels, w, h, jpeg_encoder::ColorType::Rgb).map_err(|e| failed(&e))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_averages_the_pixels_it_covers() {
        // 4×2: left half black, right half white.
        let row = [[0u8; 3], [0; 3], [255; 3], [255; 3]].concat();
        let image = Rgb { width: 4, height: 2, pixels: [row.clone(), row].concat() };
        let half = scale(image, 0.5).unwrap();
        assert_eq!((half.width, half.height), (2, 1));
        assert_eq!(half.pixels, vec![0, 0, 0, 255, 255, 255]);
        assert!(scale(Rgb { width: 1, height: 1, pixels: vec![0; 3] }, 0.05).is_err());
    }

    #[test]
    fn formats_come_from_the_query() {
        assert_eq!(Format::parse(None, None).unwrap(), Format::Png);
        assert_eq!(Format::parse(Some("JPEG"), Some(40)).unwrap(), Format::Jpeg(40));
        assert!(Format::parse(Some("gif"), None).is_err());
        assert_eq!(Format::parse(Some("jpeg"), Some(0)).unwrap(), Format::Jpeg(1));
        assert!(Format::parse(Some("jpeg"), Some(101)).is_err());
    }
}
