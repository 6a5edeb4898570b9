# The errors a command produces.

# Runs a command and returns the error records it produced, whether written (non-terminating) or thrown. The command
# runs with $ErrorActionPreference 'Continue', so that it goes on past a written error as it would for a user and every
# error is collected. A script block runs in the scopes of the test that wrote it, not in this module's, so the
# preference is set in the caller's scope (the session state of an advanced function's caller) and put back after.
function Get-ErrorRecord {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock)
    $callerVariables = $PSCmdlet.SessionState.PSVariable
    $callerPreference = $callerVariables.GetValue('ErrorActionPreference')
    $callerVariables.Set('ErrorActionPreference', 'Continue')
    $records = [System.Collections.Generic.List[object]]::new()
    try {
        & $ScriptBlock 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $records.Add($_) } }
    }
    catch {
        $records.Add($_)
    }
    finally {
        $callerVariables.Set('ErrorActionPreference', $callerPreference)
    }
    , $records.ToArray()
}
