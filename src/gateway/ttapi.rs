//! SKELETON: to be written.
use super::{Prepared, Protocol};
use crate::error::GatewayError;
use crate::job::{JobKind, JobRequest, JobSnapshot, Provider, SubmitOptions, Submitted};
use crate::secret::ApiKey;

#[derive(Debug, Clone)]
pub struct TtapiProtocol;

impl Protocol for TtapiProtocol {
    fn provider(&self) -> Provider { Provider::Ttapi }
    fn auth_header(&self, _key: &ApiKey) -> (&'static str, String) { unimplemented!() }
    fn build_submit(&self, _req: &JobRequest, _opts: &SubmitOptions) -> Result<Prepared, GatewayError> { unimplemented!() }
    fn parse_submit(&self, _status: u16, _body: &str) -> Result<Submitted, GatewayError> { unimplemented!() }
    fn build_fetch(&self, _job_id: &str, _kind: &JobKind) -> Prepared { unimplemented!() }
    fn parse_fetch(&self, _job_id: &str, _status: u16, _body: &str) -> Result<JobSnapshot, GatewayError> { unimplemented!() }
}
