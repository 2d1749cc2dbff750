use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use daytona_models::{ExecuteArtifacts, ExecuteRequest, ExecuteResponse, Sandbox as SandboxDto};

use crate::client::Client;
use crate::http::{CallOptions, Method};
use crate::sandbox::toolbox_base;
use crate::DaytonaError;

/// Extra time the HTTP call gets beyond a command's own timeout (as the official SDKs do).
const TIMEOUT_MARGIN: Duration = Duration::from_secs(5);

/// Runs processes in a sandbox (`sandbox.process`).
#[derive(Clone, Debug)]
pub struct Process {
    client: Rc<Client>,
    data: Rc<RefCell<SandboxDto>>,
}

impl Process {
    pub(crate) fn new(client: Rc<Client>, data: Rc<RefCell<SandboxDto>>) -> Self {
        Self { client, data }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", toolbox_base(&self.data.borrow()))
    }

    /// Runs `command` through the sandbox's shell and returns its exit code and combined output.
    /// `timeout` (seconds) kills the command's whole process group (→ `DaytonaError` 408).
    pub async fn exec(
        &self,
        command: &str,
        cwd: Option<&str>,
        env: Option<BTreeMap<String, String>>,
        timeout: Option<u64>,
    ) -> Result<ExecuteResponse, DaytonaError> {
        let req = ExecuteRequest {
            command: command.to_owned(),
            cwd: cwd.map(str::to_owned),
            envs: env,
            timeout: timeout.filter(|&t| t > 0),
        };
        let opts = CallOptions::timeout(req.timeout.map(|t| Duration::from_secs(t) + TIMEOUT_MARGIN));
        let mut resp: ExecuteResponse =
            self.client.http.json(Method::Post, &self.url("/process/execute"), Some(&req), &opts).await?;
        resp.artifacts = Some(ExecuteArtifacts { stdout: resp.result.clone(), charts: Vec::new() });
        Ok(resp)
    }
}
