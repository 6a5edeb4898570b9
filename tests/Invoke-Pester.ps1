# Runs the Pester suite against the built module in this (fresh) process and writes the counts as JSON. -StoreKind
# chooses the stores the tests make (New-TestStorePath): SQLite files, or schemas on the PostgreSQL server named by
# APIKEYMODULE_TEST_POSTGRES. A SQLite run skips the tests tagged Server (the server itself); a PostgreSQL run skips
# those tagged File (the store file itself) and Once (they open no store, or choose their stores themselves).
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $PackagePath,
    [ValidateSet('Sqlite', 'Postgres')] [string] $StoreKind = 'Sqlite'
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

$env:APIKEYMODULE_TEST_MODULE = $ModulePath
$env:APIKEYMODULE_TEST_PACKAGE = $PackagePath
# The NuGet packages folder (Pester's own lives in it), for tests that need another package's files.
$env:APIKEYMODULE_TEST_PACKAGES = (Resolve-Path (Join-Path (Split-Path -Parent $PesterPath) '../../..')).Path
# No test may reach the user's real store: the default location points into a throw-away folder.
$sandbox = Join-Path ([IO.Path]::GetTempPath()) ("apikeymodule-tests-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $sandbox | Out-Null
$env:XDG_DATA_HOME = Join-Path $sandbox 'xdg'
$env:LOCALAPPDATA = Join-Path $sandbox 'localappdata'
Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore
$env:APIKEYMODULE_TEST_STORE_KIND = $StoreKind

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Filter.ExcludeTag = if ($StoreKind -eq 'Postgres') { @('File', 'Once') } else { @('Server') }
try {
    $result = Invoke-Pester -Configuration $config
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    @{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -Path $ResultPath
}
finally {
    Remove-Item $sandbox -Recurse -Force -ErrorAction Ignore
}
