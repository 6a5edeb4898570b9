# Shared helpers for the ApiKeyModule Pester tests. Dot-source it in BeforeAll:
#     BeforeAll { Import-Module $env:APIKEYMODULE_TEST_MODULE -Force; . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

# A path for a store of its own under $TestDrive (the file does not exist yet).
function New-TestStorePath {
    Join-Path $TestDrive "$([guid]::NewGuid()).db"
}

# The allowlist of a key as one line in stored order, e.g. 'CALL system.info; GET /pool' ('' when empty).
function Format-Allowlist($Key) {
    @($Key.Allowlist | ForEach-Object { '{0} {1}' -f $_.Method, $_.Resource }) -join '; '
}

# Everything Get-ApiKey shows of a store, as one string to compare before and after a command.
function Get-StoreSnapshot([string] $StorePath) {
    $keys = @(Get-ApiKey -StorePath $StorePath)
    $keys | Select-Object Id, Name, @{ n = 'CreatedAt'; e = { $_.CreatedAt.ToString('o') } }, @{ n = 'Allowlist'; e = { Format-Allowlist $_ } } |
        ConvertTo-Json -Depth 5 -Compress
}

# Fills a store with a few keys so that a snapshot of it is never empty; returns the created keys.
function Add-SeedKeys([string] $StorePath) {
    New-ApiKey -StorePath $StorePath -Name 'seed-one' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
    New-ApiKey -StorePath $StorePath -Name 'seed-two' -Allowlist @{ method = 'GET'; resource = '/pool' }, @{ method = 'POST'; resource = '/pool/*' }
}

# Runs a command and returns the error records it produced, whether written (non-terminating) or thrown.
function Get-ErrorRecord([scriptblock] $ScriptBlock) {
    $ErrorActionPreference = 'Continue'
    $records = [System.Collections.Generic.List[object]]::new()
    try {
        & $ScriptBlock 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $records.Add($_) } }
    }
    catch {
        $records.Add($_)
    }
    , $records.ToArray()
}

# Runs SQL against a store file with the Microsoft.Data.Sqlite shipped with the module (bypassing the module),
# then closes every pooled connection so the file is complete on disk. A cmdlet must have run in this session
# before (it initialises SQLite's native library).
function Invoke-SqliteNonQuery([string] $Path, [string] $Sql) {
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$Path")
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $null = $command.ExecuteNonQuery()
        $command.Dispose()
    }
    finally {
        $connection.Close()
        $connection.Dispose()
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
    }
}

function Invoke-SqliteScalar([string] $Path, [string] $Sql) {
    $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$Path;Mode=ReadOnly")
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $command.ExecuteScalar()
        $command.Dispose()
    }
    finally {
        $connection.Close()
        $connection.Dispose()
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
    }
}

# Makes sure SQLite's native library is initialised (by opening a throw-away store), and lets tests name
# the module's own Microsoft.Data.Sqlite types: they live in the module's private load context, where PowerShell does
# not look up type names, so they are registered as type accelerators in this test session.
function Initialize-Sqlite {
    [ApiKeyModule.ApiKeyStore]::Open((New-TestStorePath)).Dispose()
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ApiKeyModule.ApiKeyStore].Assembly)
    $sqlite = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
    $accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    foreach ($name in 'SqliteConnection', 'SqliteConnectionStringBuilder', 'SqliteException', 'SqliteOpenMode') {
        $accelerators::Add("Microsoft.Data.Sqlite.$name", $sqlite.GetType("Microsoft.Data.Sqlite.$name", $true))
    }
}

# The program and leading arguments that start the same PowerShell as this session in a new process.
function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return , @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    , @($process)
}

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

Initialize-Sqlite
