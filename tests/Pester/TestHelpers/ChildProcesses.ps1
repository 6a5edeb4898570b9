# Child pwsh processes: started with the same PowerShell as this session (Get-PwshCommand), their output read
# asynchronously, and waited for.

# A string as a single-quoted PowerShell literal, to embed paths in a child script.
function ConvertTo-PSLiteral([string] $Value) {
    "'" + ($Value -replace "'", "''") + "'"
}

# Starts $Command (program, then its arguments) with stdout and stderr redirected and read asynchronously, so a full
# pipe never blocks the child. Returns the Process, with StdOutTask and StdErrTask attached.
function Start-RedirectedProcess([string[]] $Command) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($Command[0])
    foreach ($argument in @($Command | Select-Object -Skip 1)) { $info.ArgumentList.Add([string]$argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $info
    $null = $process.Start()
    $process | Add-Member -NotePropertyName StdOutTask -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName StdErrTask -NotePropertyValue $process.StandardError.ReadToEndAsync()
    $process
}

# Starts a child pwsh that runs $Script with the module under test imported; returns the started Process
# (stdout/stderr redirected). Use Wait-ChildPwsh to collect its output.
function Start-ChildPwsh([string] $Script) {
    $full = "`$ErrorActionPreference = 'Stop'`nImport-Module $(ConvertTo-PSLiteral $env:APIKEYMODULE_TEST_MODULE)`n$Script"
    $pwsh = Get-PwshCommand
    Start-RedirectedProcess ($pwsh + @('-NoProfile', '-NonInteractive', '-EncodedCommand',
            [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($full))))
}

# Waits for a child started by Start-ChildPwsh; throws (with its output) unless it exited with 0; returns its stdout.
function Wait-ChildPwsh($Process) {
    # A safety net against a hung child only (10 minutes), not a timing assertion.
    if (-not $Process.WaitForExit(600000)) {
        $Process.Kill($true)
        throw 'The child pwsh did not finish within 10 minutes.'
    }
    $Process.WaitForExit()
    $stdout = $Process.StdOutTask.GetAwaiter().GetResult()
    $stderr = $Process.StdErrTask.GetAwaiter().GetResult()
    if ($Process.ExitCode -ne 0) {
        throw "The child pwsh exited with $($Process.ExitCode).`nstdout: $stdout`nstderr: $stderr"
    }
    $stdout
}

# Runs $Script in a separate pwsh process with the module imported and returns its stdout.
function Invoke-ChildPwsh([string] $Script) {
    Wait-ChildPwsh (Start-ChildPwsh $Script)
}

# Starts a child pwsh that runs the script file $File (a full path: a test names it with Join-Path $PSScriptRoot) with
# $Arguments; stdout and stderr are redirected and read asynchronously (so a full pipe never blocks the child). With
# -Umask the child runs under that umask (Unix), through /bin/sh. Returns the Process, with StdOutTask and StdErrTask
# attached.
function Start-PwshScript {
    param(
        [Parameter(Mandatory)] [string] $File,
        [string[]] $Arguments = @(),
        [string] $Umask
    )
    if (-not [IO.Path]::IsPathRooted($File)) { throw "Start-PwshScript takes the script's full path, not '$File'." }
    $pwsh = Get-PwshCommand
    $command = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $File) + $Arguments
    if ($Umask) {
        $command = @('/bin/sh', '-c', "umask $Umask && exec `"`$0`" `"`$@`"") + $command
    }
    Start-RedirectedProcess $command
}

# Waits for a child started by Start-PwshScript (a safety net against a hung child only, not a timing assertion)
# and returns what it did: ExitCode, StdOut, StdErr. A child still running after $TimeoutSeconds is killed and
# reported with ExitCode -1.
function Wait-PwshScript($Process, [int] $TimeoutSeconds = 300) {
    $exitCode = $null
    if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Process.Kill($true)
        $exitCode = -1
    }
    $Process.WaitForExit()
    if ($null -eq $exitCode) { $exitCode = $Process.ExitCode }
    [pscustomobject]@{
        ExitCode = $exitCode
        StdOut   = $Process.StdOutTask.GetAwaiter().GetResult()
        StdErr   = $Process.StdErrTask.GetAwaiter().GetResult()
    }
}

# Waits until $Condition is true, polling every $IntervalMs; throws with $What after $TimeoutSeconds (a safety net).
function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 120, [int] $IntervalMs = 10) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for: $What" }
        Start-Sleep -Milliseconds $IntervalMs
    }
}
