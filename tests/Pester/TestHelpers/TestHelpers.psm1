# The functions the ApiKeyModule Pester tests share, one module that every test file imports in its BeforeAll, after
# the module under test:
#     BeforeAll {
#         Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
#         Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
#     }
# Pester discovers tests and runs them in separate phases: a file whose -ForEach data comes from one of these functions
# imports the module in BeforeDiscovery too.
#
# These functions run in this module's scope, not in the test's, so they see none of a test's variables: what they
# need from a test they take as parameters (its folder is Pester's $TestDrive, e.g. New-TestStorePath $TestDrive).
# A file that reaches SQLite directly (Invoke-StoreRows and the like, or the Microsoft.Data.Sqlite type names) calls
# Initialize-Sqlite $TestDrive in its BeforeAll.

# A function here stops at its first error, as the test run does (tests/Invoke-Pester.ps1): a caller's preference
# does not reach into a module.
$ErrorActionPreference = 'Stop'

# Get-PwshCommand, shared with build.ps1 and the help build.
. (Join-Path $PSScriptRoot '../../../src/build/PwshCommand.ps1')
# The throwaway PostgreSQL server, shared with build.ps1, which starts it for the test command: Get-TestPostgres,
# Stop-TestPostgresImmediately, Restart-TestPostgres, Invoke-TestPsql.
. (Join-Path $PSScriptRoot '../../PostgresServer.ps1')

# Each file holds the functions of one subject.
foreach ($part in 'Stores', 'StoreSql', 'StoreContent', 'Errors', 'ChildProcesses', 'Files', 'Terminal') {
    . (Join-Path $PSScriptRoot "$part.ps1")
}

Export-ModuleMember -Function *
