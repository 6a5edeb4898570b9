<#
.SYNOPSIS
    Builds, tests and tries out ApiKeyModule.
.DESCRIPTION
    Build  (default) lays the importable module out at out/ApiKeyModule.
    Test   builds and packages, starts a throwaway PostgreSQL server, runs the engine's xunit tests on a SQLite store
           and again on that server, then the module's Pester tests in a child pwsh, stops and removes the server,
           and ends with one line "N passed, N failed" (all suites); exits non-zero on any failure.
    Package builds, then makes out/package/ApiKeyModule.<version>.nupkg (for Publish-PSResource -NupkgPath).
    Demo   builds, then makes a real round trip (create, get, update, reset, delete) on a new store in a temporary
           folder, never on the user's own store, and removes it after.
    Bench  builds, then runs the benchmarks (tests/Benchmarks, on SQLite and a throwaway PostgreSQL server, and the
           sample service over HTTP, loaded by wrk, which it installs with apt-get when missing) and writes
           tests/Benchmarks/results.md. Not a test: nothing fails on a figure.
    Mutate runs mutation testing (Stryker.NET, from the tool manifest) of the engine's rules with its xunit tests
           (tests/Mutation/stryker-config.json) and writes out/mutation: reports/mutation-report.html and .json, and
           summary.md (the score, each file's, every mutant missed and every one left out with its reason). Exits
           non-zero below a score of 85 %. Not part of Test: it takes most of an hour on two cores.
    Shell  builds, then opens a pwsh session with the module imported.
    Clean  removes out/ and the build folders.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Shell', 'Clean', 'Bench', 'Mutate')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
. (Join-Path $root 'tests/PostgresServer.ps1')
# Get-PwshCommand: the pwsh running this script, so that child sessions use the same PowerShell.
. (Join-Path $root 'src/build/PwshCommand.ps1')
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'ApiKeyModule'

function Invoke-Native([string] $what, [scriptblock] $command) {
    & $command
    if ($LASTEXITCODE -ne 0) { throw "$what failed (exit code $LASTEXITCODE)." }
}

function Invoke-Pwsh([string[]] $arguments) {
    $pwsh = Get-PwshCommand
    $rest = @($pwsh | Select-Object -Skip 1) + $arguments
    & $pwsh[0] @rest
}

function Invoke-Build {
    $publish = Join-Path $out 'publish'
    Invoke-Native 'dotnet publish' {
        dotnet publish (Join-Path $root 'src/ApiKeyModule/ApiKeyModule.csproj') -c $Configuration -o $publish --nologo -v quiet
    }
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    # The cmdlets at the top; the engine and its dependencies in a private folder (see ModuleLoader.cs).
    $dependencies = Join-Path $moduleOut 'dependencies'
    New-Item -ItemType Directory -Path $dependencies | Out-Null
    Copy-Item (Join-Path $publish 'ApiKeyModule.dll') $moduleOut
    Get-ChildItem $publish -Filter *.dll | Where-Object Name -ne 'ApiKeyModule.dll' | Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $publish 'runtimes') $dependencies -Recurse
    Copy-Item (Join-Path $publish 'ApiKeyModule.format.ps1xml'), (Join-Path $publish 'ApiKeyModule.types.ps1xml') $moduleOut
    Copy-Item (Join-Path $root 'ApiKeyModule.psd1') $moduleOut
    & (Join-Path $root 'src/ApiKeyModule/help/Build-Help.ps1') -SourcePath (Join-Path $root 'src/ApiKeyModule/help') -OutputPath $moduleOut
    Write-Host "Module laid out at $moduleOut"
}

function Invoke-Package {
    Invoke-Build
    $package = Join-Path $out 'package'
    if (Test-Path $package) { Remove-Item $package -Recurse -Force }
    New-Item -ItemType Directory -Path $package | Out-Null
    Compress-PSResource -Path $moduleOut -DestinationPath $package
    Write-Host "Package written: $((Get-ChildItem $package -Filter *.nupkg).FullName)"
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

# Pester as the test project downloads it (its PackageDownload, the one place that names the version) into the NuGet
# packages folder.
function Get-PesterPath {
    $project = [xml](Get-Content -Raw -LiteralPath (Join-Path $root 'tests/ApiKeyModule.Engine.Tests/ApiKeyModule.Engine.Tests.csproj'))
    $download = @($project.Project.ItemGroup.PackageDownload | Where-Object Include -eq 'Pester')
    if ($download.Count -ne 1) { throw 'The test project must download Pester once (PackageDownload Include="Pester").' }
    # An exact version, as PackageDownload requires it: [5.7.1].
    $version = $download[0].Version.Trim('[', ']')
    Join-Path (Get-NuGetPackagesFolder) "pester/$version/tools/Pester.psd1"
}

# Installs the commands a task needs, when missing, with apt-get on a Debian-like machine as root; elsewhere says what to
# install. $needed: @{ Command = ...; Package = ... } each.
function Install-Commands([hashtable[]] $needed, [string] $purpose) {
    $missing = @($needed | Where-Object { -not (Get-Command $_.Command -CommandType Application -ErrorAction Ignore) })
    if ($missing.Count -eq 0) { return }
    $packages = $missing.Package
    if ($IsLinux -and (Get-Command apt-get -ErrorAction Ignore) -and (id -u) -eq '0') {
        Write-Host "Installing $($packages -join ', '), which $purpose need"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native 'apt-get update' { apt-get update -qq }
        Invoke-Native 'apt-get install' { apt-get install -y -qq @packages }
    }
    else {
        Write-Warning "Missing on PATH: $($missing.Command -join ' and '), which $purpose need; install them ($($packages -join ', '))."
    }
}

# The terminal tests of Edit-ApiKey drive a real editor in tmux.
function Install-TestPrerequisites {
    Install-Commands @(@{ Command = 'tmux'; Package = 'tmux' }, @{ Command = 'vi'; Package = 'vim' }) 'the terminal tests'
}

# Runs the engine's xunit tests and adds their counts; the trx file is named for the store they ran on.
function Invoke-EngineTests([string] $results, [string] $name, [ref] $passed, [ref] $failed) {
    dotnet test (Join-Path $root 'tests/ApiKeyModule.Engine.Tests') -c $Configuration --nologo `
        --logger "trx;LogFileName=$name.trx" --logger 'console;verbosity=normal' --results-directory $results
    $trx = Join-Path $results "$name.trx"
    $before = $failed.Value
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $passed.Value += [int]$counters.passed
        $failed.Value += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    if ($LASTEXITCODE -ne 0 -and $failed.Value -eq $before) { $failed.Value++; Write-Host "xunit ($name): the run failed before reporting results." }
}

# Runs the Pester suite in a child pwsh on stores of one kind (see tests/Invoke-Pester.ps1) and adds its counts.
function Invoke-PesterSuite([string] $pester, [string] $results, [string] $kind, [ref] $passed, [ref] $failed) {
    $json = Join-Path $results "pester-$($kind.ToLowerInvariant()).json"
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tests/Invoke-Pester.ps1'),
        '-PesterPath', $pester, '-ModulePath', (Join-Path $moduleOut 'ApiKeyModule.psd1'), '-StoreKind', $kind,
        '-TestPath', (Join-Path $root 'tests/Pester'), '-ResultPath', $json, '-PackagePath', (Join-Path $out 'package'))
    if (Test-Path $json) {
        $summary = Get-Content $json -Raw | ConvertFrom-Json
        $passed.Value += $summary.Passed
        $failed.Value += $summary.Failed
    }
    else {
        $failed.Value++
        Write-Host "Pester ($kind): the run failed before reporting results."
    }
}

function Invoke-Tests {
    Install-TestPrerequisites
    Invoke-Package
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results | Out-Null

    $passed = 0; $failed = 0
    $server = Start-TestPostgres
    try {
        Invoke-EngineTests $results 'xunit-sqlite' ([ref] $passed) ([ref] $failed)
        # From here on, the tests of the PostgreSQL store connect to the throwaway server.
        $env:APIKEYMODULE_TEST_POSTGRES = $server.ConnectionString
        $env:APIKEYMODULE_TEST_POSTGRES_CA = $server.RootCertificate
        # The tests that stop and restart the server need its folder, binaries and port.
        $env:APIKEYMODULE_TEST_POSTGRES_FOLDER = $server.Folder
        $env:APIKEYMODULE_TEST_POSTGRES_BIN = $server.Bin
        $env:APIKEYMODULE_TEST_POSTGRES_PORT = $server.Port
        Invoke-EngineTests $results 'xunit-postgres' ([ref] $passed) ([ref] $failed)

        $pester = Get-PesterPath
        if (-not (Test-Path $pester)) { throw "Pester was not found at $pester; the test project's restore downloads it." }
        foreach ($kind in 'Sqlite', 'Postgres') {
            Invoke-PesterSuite $pester $results $kind ([ref] $passed) ([ref] $failed)
        }
    }
    finally {
        Remove-Item Env:APIKEYMODULE_TEST_POSTGRES, Env:APIKEYMODULE_TEST_POSTGRES_CA, Env:APIKEYMODULE_TEST_POSTGRES_FOLDER, Env:APIKEYMODULE_TEST_POSTGRES_BIN, Env:APIKEYMODULE_TEST_POSTGRES_PORT -ErrorAction Ignore
        Stop-TestPostgres $server
    }

    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}


function Invoke-Demo {
    Invoke-Build
    Invoke-Pwsh @('-NoProfile', '-File', (Join-Path $root 'tests/Demo.ps1'), (Join-Path $moduleOut 'ApiKeyModule.psd1'))
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# Benchmarks P1-P5, PG1-PG4 (PostgreSQL), V1-V4, PGV1-PGV4 (the verifier) and H1-H2 (HTTP), the rows of tests/Benchmarks/results.md, against floors measured in the same run; writes tests/Benchmarks/results.md. Not a test.
function Invoke-Bench {
    # H1, H2 (the sample service over HTTP) load it with wrk; without wrk they are left out.
    Install-Commands @(@{ Command = 'wrk'; Package = 'wrk' }) 'the HTTP benchmarks'
    Invoke-Build
    # PG1-PG4 run on a throwaway server, named to the benchmarks by an environment variable (never on a command line).
    $server = Start-TestPostgres
    try {
        $env:APIKEYMODULE_BENCH_POSTGRES = $server.ConnectionString
        & (Join-Path $root 'tests/Benchmarks/Invoke-Benchmarks.ps1') -ModulePath (Join-Path $moduleOut 'ApiKeyModule.psd1') `
            -Pwsh (Get-PwshCommand) -Configuration $Configuration
    }
    finally {
        Remove-Item Env:APIKEYMODULE_BENCH_POSTGRES -ErrorAction Ignore
        Stop-TestPostgres $server
    }
}

function Invoke-Mutate {
    $mutation = Join-Path $out 'mutation'
    if (Test-Path $mutation) { Remove-Item $mutation -Recurse -Force }
    $started = Get-Date
    Push-Location (Join-Path $root 'tests/ApiKeyModule.Engine.Tests')
    try {
        dotnet stryker --config-file ../Mutation/stryker-config.json --output $mutation --concurrency ([Environment]::ProcessorCount)
        $exitCode = $LASTEXITCODE
    }
    finally {
        Pop-Location
    }
    $report = Join-Path $mutation 'reports/mutation-report.json'
    if (-not (Test-Path $report)) { throw "Mutation testing failed before reporting (exit code $exitCode)." }
    $summary = Join-Path $mutation 'summary.md'
    $score = & (Join-Path $root 'tests/Mutation/Write-MutationSummary.ps1') -ReportPath $report -SummaryPath $summary
    Write-Host ("Mutation score {0} % in {1:hh\:mm\:ss}; see {2}" -f $score, ((Get-Date) - $started), $summary)
    if ($exitCode -ne 0) { exit $exitCode }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Tests }
    'Package' { Invoke-Package }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Mutate' { Invoke-Mutate }
    'Shell' {
        Invoke-Build
        Invoke-Pwsh @('-NoProfile', '-NoExit', '-Command', "Import-Module '$(Join-Path $moduleOut 'ApiKeyModule.psd1')'; Get-Command -Module ApiKeyModule")
    }
    'Clean' {
        foreach ($dir in @($out) + (Get-ChildItem $root -Recurse -Directory -Include bin, obj | ForEach-Object FullName)) {
            if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
        }
    }
}
