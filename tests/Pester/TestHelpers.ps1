# Shared helpers for the ApiKeyModule Pester tests. Dot-source it in BeforeAll:
#     BeforeAll { Import-Module $env:APIKEYMODULE_TEST_MODULE -Force; . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

# The kind of store the suite runs on: the test command runs it once on SQLite files and once on its PostgreSQL server
# (APIKEYMODULE_TEST_STORE_KIND=Postgres). Tests of the file itself are tagged File and skipped on PostgreSQL; tests of
# the server are tagged Server and skipped on SQLite; tests that open no store, or choose their stores themselves, are
# tagged Once and run in the SQLite run only (tests/Invoke-Pester.ps1).
function Test-PostgresRun { $env:APIKEYMODULE_TEST_STORE_KIND -eq 'Postgres' }

# A store of its own for one test, that does not exist yet: a file under $TestDrive, or, on PostgreSQL, a schema of its
# own on the test server (a connection string, which -StorePath takes like a path).
function New-TestStorePath {
    if (Test-PostgresRun) {
        return "$env:APIKEYMODULE_TEST_POSTGRES;Schema=t_$([guid]::NewGuid().ToString('N'))"
    }
    Join-Path $TestDrive "$([guid]::NewGuid()).db"
}

# How the store reports where it is (its Path, a key's Store): the file's full path, or the connection string without
# its password, with the schema.
function Get-StoreLocation([string] $Store) {
    if (Test-PostgresStore $Store) {
        return ($Store -replace ';Password=[^;]*', '')
    }
    [IO.Path]::GetFullPath($Store)
}

# Whether a store exists there yet: its file, or its schema on the server.
function Test-StoreExists([string] $Store) {
    if (Test-PostgresStore $Store) {
        $schema = Get-StoreSchema $Store
        return [bool](Invoke-StoreScalar $env:APIKEYMODULE_TEST_POSTGRES 'SELECT count(*) FROM pg_namespace WHERE nspname = @schema' @{ schema = $schema })
    }
    Test-Path -LiteralPath $Store
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

# Whether a test store is a schema on the PostgreSQL server (a connection string) rather than a file.
function Test-PostgresStore([string] $Store) { $Store -match '^Host=' }

# The schema of a PostgreSQL test store (New-TestStorePath).
function Get-StoreSchema([string] $Store) {
    ($Store -split ';' | Where-Object { $_ -like 'Schema=*' }) -replace '^Schema=', ''
}

# A connection to a test store that bypasses the module, as another tool would open it: the file, with the module's own
# Microsoft.Data.Sqlite, or the store's schema on the test server, with the module's own Npgsql. Not pooled, so closing
# it really closes it (the file is complete on disk) and leaves the module's pooled connections alone.
function New-StoreConnection([string] $Store, [switch] $ReadOnly) {
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([ApiKeyModule.ApiKeyStore].Assembly)
    if (Test-PostgresStore $Store) {
        $npgsql = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Npgsql'))
        $builder = $npgsql.GetType('Npgsql.NpgsqlConnectionStringBuilder', $true)::new(($Store -replace ';Schema=[^;]*', ''))
        $builder.SearchPath = Get-StoreSchema $Store
        $builder.Pooling = $false
        $connection = $npgsql.GetType('Npgsql.NpgsqlConnection', $true)::new($builder.ConnectionString)
    }
    else {
        $sqlite = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
        $builder = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnectionStringBuilder', $true)::new()
        $builder.DataSource = $Store
        $builder.Pooling = $false
        $builder.Mode = if ($ReadOnly) { 'ReadOnly' } else { 'ReadWriteCreate' }
        $connection = $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true)::new($builder.ToString())
    }
    $connection.Open()
    $connection
}

# Runs SQL on a test store directly (see New-StoreConnection), with parameters named @name, and returns its rows as
# ordered hashtables (column name -> value; NULL -> $null, a blob -> byte[]). On SQLite, every pooled connection is closed
# after, so that the file is complete on disk.
function Invoke-StoreRows([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $connection = New-StoreConnection $Store
    try {
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        foreach ($name in $Parameters.Keys) {
            $parameter = $command.CreateParameter()
            $parameter.ParameterName = $name
            $parameter.Value = $Parameters[$name]
            $null = $command.Parameters.Add($parameter)
        }
        $reader = $command.ExecuteReader()
        $rows = [System.Collections.Generic.List[object]]::new()
        do {
            while ($reader.Read()) {
                $row = [ordered]@{}
                for ($i = 0; $i -lt $reader.FieldCount; $i++) {
                    # (Assigned directly: an if-expression would unroll a blob's byte[] into object[].)
                    $row[$reader.GetName($i)] = $null
                    if (-not $reader.IsDBNull($i)) { $row[$reader.GetName($i)] = $reader.GetValue($i) }
                }
                $rows.Add($row)
            }
        } while ($reader.NextResult())
        $reader.Dispose()
        $command.Dispose()
        , $rows.ToArray()
    }
    finally {
        $connection.Dispose()
        if (-not (Test-PostgresStore $Store)) { $connection.GetType()::ClearAllPools() }
    }
}

# The first column of the first row SQL returns on a test store ($null when none).
function Invoke-StoreScalar([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $rows = Invoke-StoreRows $Store $Sql $Parameters
    if ($rows.Count -eq 0) { return $null }
    @($rows[0].Values)[0]
}

# Runs SQL that returns nothing (or whose rows do not matter) on a test store.
function Invoke-StoreNonQuery([string] $Store, [string] $Sql, [hashtable] $Parameters = @{}) {
    $null = Invoke-StoreRows $Store $Sql $Parameters
}

# Makes sure SQLite's native library is initialised (by opening a throw-away store), and lets tests name
# the module's own Microsoft.Data.Sqlite types: they live in the module's private load context, where PowerShell does
# not look up type names, so they are registered as type accelerators in this test session.
function Initialize-Sqlite {
    [ApiKeyModule.ApiKeyStore]::Open((Join-Path $TestDrive "$([guid]::NewGuid()).db")).Dispose()
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
