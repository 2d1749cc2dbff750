//! `wire_enum!`: a fieldless enum of the wire whose spellings are one table, read both ways.

/// Declares a fieldless enum with each variant's wire spelling (`Variant = "spelling"`) and
/// gives it `ALL`, `as_str` and `parse`, and `Serialize`/`Deserialize` written over them (an
/// unknown spelling is refused naming `$what`). serde's derive would compile a second copy of
/// the names and their matching for every enum into the npm package (0.8 KB gzip for
/// `SandboxState`'s 22). The enum's own attributes (derives, docs, tsify's `serde(rename_all)`
/// for the TypeScript names) go before `pub enum`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $spelling:literal,)*
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$($spelling),*].len()] = [$(Self::$variant),*];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $spelling,)*
                }
            }

            /// Parses the wire spelling; an unknown one gives `None`.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&name).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(concat!("unknown ", $what, " `{}`"), name))
                })
            }
        }
    };
}
