# Reliability on a PostgreSQL store: clients killed with SIGKILL mid-change, the
# server stopped at once mid-load and restarted, many hosts starting on an empty database at once, a newer schema.
# Each test uses a schema of its own on the throwaway server the test command starts. No timing assertions beyond the
# one-second bound on a dead client's locks; wall times are reported (Write-Host).
BeforeDiscovery {
    $script:skip = if (-not $env:APIKEYMODULE_TEST_POSTGRES) { 'no PostgreSQL server: the test command starts one and sets APIKEYMODULE_TEST_POSTGRES' }
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force

    function New-TestSchema { "t_$([guid]::NewGuid().ToString('N'))" }

    function Get-FailedVerification([string] $Store, [string[]] $Keys) {
        if ($Keys.Count -eq 0) { return @() }
        @($Keys | Test-ApiKey -StorePath $Store -Detailed | Where-Object { -not $_.Valid })
    }

    # Every key row has its Create audit row and every Create row its key (none was deleted in these tests): no half
    # change. Returns the problems found.
    function Get-HalfChange([string] $Schema) {
        Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES @"
SELECT 'key without its Create row: ' || k.id FROM $Schema.api_keys k
 WHERE NOT EXISTS (SELECT 1 FROM $Schema.audit_log a WHERE a.action = 'Create' AND a.key_id = k.id)
UNION ALL
SELECT 'Create row without its key: ' || a.key_id FROM $Schema.audit_log a
 WHERE a.action = 'Create' AND NOT EXISTS (SELECT 1 FROM $Schema.api_keys k WHERE k.id = a.key_id)
UNION ALL
SELECT 'more than one Create row for key ' || key_id FROM $Schema.audit_log WHERE action = 'Create' GROUP BY key_id HAVING count(*) > 1
"@
    }
}

Describe 'PostgreSQL store: reliability' -Tag Server -Skip:([bool]$skip) {
    It 'a newer schema is left untouched: StoreSchemaTooNew for reads and writes, and no row changes' {
        $schema = New-TestSchema
        $store = "$env:APIKEYMODULE_TEST_POSTGRES;Schema=$schema"
        $null = New-ApiKey -StorePath $store -Name 'before' -Allowlist @{ method = 'GET'; resource = '/x' }
        Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES "UPDATE $schema.store_info SET value = '99' WHERE key = 'version'"
        $dump = "SELECT 'info', key || '=' || value FROM $schema.store_info
                 UNION ALL SELECT 'key', row_to_json(k)::text FROM $schema.api_keys k
                 UNION ALL SELECT 'audit', row_to_json(a)::text FROM $schema.audit_log a
                 UNION ALL SELECT 'changes', row_to_json(c)::text FROM $schema.key_changes c
                 UNION ALL SELECT 'table', table_name FROM information_schema.tables WHERE table_schema = '$schema'
                 ORDER BY 1, 2"
        $before = Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES $dump
        $before | Should -Contain 'info|version=99'

        foreach ($command in { Get-ApiKey -StorePath $store }, { New-ApiKey -StorePath $store -Name 'after' -Allowlist @{ method = 'GET'; resource = '/x' } },
            { Get-ApiKeyAuditLog -StorePath $store }) {
            $errors = Get-ErrorRecord $command
            $errors.Count | Should -Be 1 -Because "$command"
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'StoreSchemaTooNew,*' -Because "$command"
        }
        Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES $dump | Should -Be $before
    }

    It '8 processes starting on an empty database at once: all succeed, the schema is created once' {
        $work = Join-Path $TestDrive "pg-first-use-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $schema = New-TestSchema
        $store = "$env:APIKEYMODULE_TEST_POSTGRES;Schema=$schema"
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module $(ConvertTo-PSLiteral $env:APIKEYMODULE_TEST_MODULE)
`$null = New-ApiKey -StorePath (Join-Path $(ConvertTo-PSLiteral $work) "warm-`$(`$args[0]).db") -Name 'warm' -Allowlist @{ method = 'GET'; resource = '/x' }
`$null = New-Item -ItemType File -Path (Join-Path $(ConvertTo-PSLiteral $work) "ready-`$(`$args[0])")
`$deadline = [DateTime]::UtcNow.AddMinutes(3)
while (-not [IO.File]::Exists($(ConvertTo-PSLiteral (Join-Path $work 'go')))) { if ([DateTime]::UtcNow -gt `$deadline) { exit 3 } }
`$null = New-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Name "p`$(`$args[0])" -Allowlist @{ method = 'GET'; resource = '/x' }
"@
        $file = Join-Path $work 'first-use.ps1'
        Set-Content -LiteralPath $file -Value $script
        $processes = @(foreach ($n in 1..8) { Start-PwshScript $file @("$n") })
        try {
            Wait-Until { @(Get-ChildItem -LiteralPath $work -Filter 'ready-*').Count -eq 8 -or @($processes | Where-Object HasExited).Count -gt 0 } `
                'every process to be ready' -TimeoutSeconds 180
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File -Path (Join-Path $work 'go')
            $runs = @($processes | ForEach-Object { Wait-PwshScript $_ 120 })
        }
        finally {
            foreach ($process in $processes) { if (-not $process.HasExited) { $process.Kill() } }
        }
        Write-Host ("PostgreSQL first use: 8 processes on an empty schema at once in {0:N1} s" -f $watch.Elapsed.TotalSeconds)
        foreach ($run in $runs) {
            $run.ExitCode | Should -Be 0 -Because $run.StdErr
            $run.StdErr | Should -BeNullOrEmpty
        }
        Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES "SELECT key || '=' || value FROM $schema.store_info WHERE key = 'version'" | Should -Be @('version=2')
        @(Invoke-TestPsql $env:APIKEYMODULE_TEST_POSTGRES "SELECT key FROM $schema.store_info WHERE key = 'id'").Count | Should -Be 1
        @(Get-ApiKey -StorePath $store).Name | Sort-Object | Should -Be @(1..8 | ForEach-Object { "p$_" })
        @(Get-HalfChange $schema) | Should -BeNullOrEmpty
    }

    It 'the server stopped at once mid-load and restarted: the client sees StoreUnavailable, every key reported done is there and verifies, none half-done' {
        $server = Get-TestPostgres
        if (-not $server) { Set-ItResult -Skipped -Because 'the server''s folder, binaries and port are unknown: the test command sets APIKEYMODULE_TEST_POSTGRES_FOLDER, _BIN and _PORT'; return }
        $work = Join-Path $TestDrive "pg-stop-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $schema = New-TestSchema
        $store = "$env:APIKEYMODULE_TEST_POSTGRES;Schema=$schema"
        [ApiKeyModule.ApiKeyStore]::Open($store).Dispose()
        $out = Join-Path $work 'out.txt'
        $stop = Join-Path $work 'stop'
        $process = Start-PwshScript (Join-Path $PSScriptRoot 'ServerStopWorker.ps1') @('-Module', $env:APIKEYMODULE_TEST_MODULE, '-Store', $store, '-OutFile', $out,
            '-ReadyFile', (Join-Path $work 'ready'), '-StopFile', $stop)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try {
            Wait-Until { [IO.File]::Exists((Join-Path $work 'ready')) -or $process.HasExited } 'the client to create its first key' -TimeoutSeconds 120
            $null = Start-Sleep -Milliseconds (Get-Random -Minimum 100 -Maximum 400)
            try {
                Stop-TestPostgresImmediately $server
                Wait-Until { @(Read-CompleteLine $out | Where-Object { $_ -like 'FAILED *' }).Count -ge 3 -or $process.HasExited } 'the client to fail on the stopped server' -TimeoutSeconds 60
            }
            finally {
                # The server is shared with the other tests: it runs again, and accepts connections, whatever happened.
                Restart-TestPostgres $server
            }
            # This process's pooled connections died with the server: its next command must still work, at once.
            (Get-ErrorRecord { $null = Get-ApiKey -StorePath $store }).Count | Should -Be 0
            $restarted = @(Read-CompleteLine $out).Count
            Wait-Until { @(Read-CompleteLine $out | Select-Object -Skip $restarted | Where-Object { $_ -notlike 'FAILED *' }).Count -ge 3 -or $process.HasExited } `
                'the client to create keys after the restart' -TimeoutSeconds 120
            $null = New-Item -ItemType File -Path $stop
            $run = Wait-PwshScript $process 60
        }
        finally {
            $null = New-Item -ItemType File -Path $stop -Force
            if (-not $process.HasExited) { $process.Kill() }
        }
        $lines = @(Read-CompleteLine $out)
        $failures = @($lines | Where-Object { $_ -like 'FAILED *' })
        $done = @($lines | Where-Object { $_ -notlike 'FAILED *' })
        Write-Host ("PostgreSQL server stop: {0} keys reported done and {1} failures around a stop and restart, in {2:N1} s" -f $done.Count, $failures.Count, $watch.Elapsed.TotalSeconds)
        $run.ExitCode | Should -Be 0 -Because $run.StdErr
        $run.StdErr | Should -BeNullOrEmpty
        $failures.Count | Should -BeGreaterOrEqual 3
        $other = @($failures | Where-Object { $_.Split(' ')[2] -notlike 'StoreUnavailable,*' })
        $other | Should -BeNullOrEmpty -Because 'a client that loses its server must see StoreUnavailable and nothing else'

        $keys = @(Get-ApiKey -StorePath $store)
        $byId = @{}
        foreach ($key in $keys) { $byId[$key.Id] = $key.Name }
        $mismatches = foreach ($line in $done) {
            $id, $name, $null = $line.Split(' ')
            if ($byId[[int]$id] -cne $name) { "reported $id $name, the store has '$($byId[[int]$id])'" }
        }
        $mismatches | Should -BeNullOrEmpty
        Get-FailedVerification $store @($done | ForEach-Object { $_.Split(' ')[2] }) | Should -BeNullOrEmpty
        # A create in flight when the server stopped may have committed or not; nothing else is in the store.
        $keys.Count | Should -BeGreaterOrEqual $done.Count
        $keys.Count | Should -BeLessOrEqual ($done.Count + $failures.Count)
        $failedNames = @($failures | ForEach-Object { $_.Split(' ')[1] })
        @($keys | Where-Object { $_.Name -notin @($done | ForEach-Object { $_.Split(' ')[1] }) -and $_.Name -notin $failedNames }) | Should -BeNullOrEmpty
        @(Get-HalfChange $schema) | Should -BeNullOrEmpty
    }
}
