//! HTTP plumbing shared by the server and the in-sandbox agent: Daytona's error envelope
//! completed with the request's path, and request bodies read to their end before answering.
//! Imports nothing of the crate's other modules.

pub mod drain;
pub mod envelope;
