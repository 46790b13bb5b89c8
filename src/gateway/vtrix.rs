//! SKELETON: to be written.
use super::{Prepared, Protocol};
use crate::error::GatewayError;
use crate::job::{JobKind, JobRequest, JobSnapshot, Provider, SubmitOptions, Submitted};
use crate::secret::ApiKey;

/// Vtrix submit and polling paths (unconfirmed by its docs, so configurable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtrixPaths { pub submit: String, pub poll: String }
impl Default for VtrixPaths { fn default() -> Self { Self { submit: "/model/v1/generation".into(), poll: "/model/v1/generation/{id}".into() } } }

#[derive(Debug, Clone)]
pub struct VtrixProtocol { pub paths: VtrixPaths }

impl Protocol for VtrixProtocol {
    fn provider(&self) -> Provider { Provider::Vtrix }
    fn auth_header(&self, _key: &ApiKey) -> (&'static str, String) { unimplemented!() }
    fn build_submit(&self, _req: &JobRequest, _opts: &SubmitOptions) -> Result<Prepared, GatewayError> { unimplemented!() }
    fn parse_submit(&self, _status: u16, _body: &str) -> Result<Submitted, GatewayError> { unimplemented!() }
    fn build_fetch(&self, _job_id: &str, _kind: &JobKind) -> Prepared { unimplemented!() }
    fn parse_fetch(&self, _job_id: &str, _status: u16, _body: &str) -> Result<JobSnapshot, GatewayError> { unimplemented!() }
}
