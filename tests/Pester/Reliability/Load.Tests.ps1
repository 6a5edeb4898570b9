# Many processes on one store at once. No timing assertions: the wall time is reported (Write-Host).
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Asserts that the children ran clean: exit code 0, nothing on stderr, no error of any kind ($Error is empty),
    # and "database is locked" nowhere.
    function Assert-CleanRun([object[]] $Runs, [object[]] $Results) {
        foreach ($run in $Runs) {
            $run.ExitCode | Should -Be 0 -Because "process $($run.Name) must exit cleanly (stderr: $($run.StdErr))"
            $run.StdErr | Should -BeNullOrEmpty -Because "process $($run.Name) must write nothing to stderr"
            "$($run.StdOut)`n$($run.StdErr)" | Should -Not -Match 'locked|busy' -Because "process $($run.Name) must never see a locked store"
        }
        foreach ($result in $Results) {
            $label = "$($result.Stats.Role)-$($result.Stats.Index)"
            $result.Errors | Should -Be 0 -Because "process $label must have no error of any kind: $($result.ErrorTexts -join ' || ')"
            ($result.ErrorTexts -join "`n") | Should -Not -Match 'locked|busy'
            $result.Stats.VerifyFailures | Should -Be 0 -Because "in process ${label}: $($result.Stats.Anomalies -join ' || ')"
            $result.Stats.ReadAnomalies | Should -Be 0 -Because "in process ${label}: $($result.Stats.Anomalies -join ' || ')"
            @($result.Stats.Anomalies).Count | Should -Be 0 -Because ($result.Stats.Anomalies -join ' || ')
        }
    }
}

Describe 'Load — many processes on one store at once' {
    It '8 processes each create 500 keys through a pipeline while others read, reset and verify: 4000 keys, no error, every last printed key verifies' {
        $work = Join-Path $TestDrive "load-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $store = New-TestStorePath $TestDrive
        $Kind = if (Test-PostgresStore $store) { 'PostgreSQL' } else { 'SQLite' }
        # The store exists before the run (the first use by many processes at once is the next test).
        [ApiKeyModule.ApiKeyStore]::Open($store).Dispose()
        $creators = 1..8
        $startup = [Diagnostics.Stopwatch]::StartNew()
        $children = @(
            foreach ($n in $creators) { @{ Role = 'Creator'; Index = $n } }
            @{ Role = 'Reader'; Index = 1 }
            @{ Role = 'Verifier'; Index = 1 }
        ) | ForEach-Object {
            $process = Start-PwshScript (Join-Path $PSScriptRoot 'LoadWorker.ps1') @('-Module', $env:APIKEYMODULE_TEST_MODULE, '-Store', $store,
                '-Role', $_.Role, '-Index', $_.Index, '-WorkDir', $work, '-Count', 500)
            [pscustomobject]@{ Name = "$($_.Role)-$($_.Index)"; Role = $_.Role; Process = $process }
        }
        try {
            Wait-Until { @(Get-ChildItem -LiteralPath $work -Filter 'ready-*').Count -eq $children.Count -or @($children | Where-Object { $_.Process.HasExited }).Count -gt 0 } `
                'every load process to be ready' -TimeoutSeconds 180
            $startupSeconds = $startup.Elapsed.TotalSeconds
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File -Path (Join-Path $work 'go')
            $runs = @(foreach ($child in $children | Where-Object Role -EQ 'Creator') {
                    Wait-PwshScript $child.Process 240 | Add-Member -NotePropertyName Name -NotePropertyValue $child.Name -PassThru
                })
            $creatorsSeconds = $watch.Elapsed.TotalSeconds
            $null = New-Item -ItemType File -Path (Join-Path $work 'stop') -Force
            $runs += @(foreach ($child in $children | Where-Object Role -NE 'Creator') {
                    Wait-PwshScript $child.Process 120 | Add-Member -NotePropertyName Name -NotePropertyValue $child.Name -PassThru
                })
            $wall = $watch.Elapsed.TotalSeconds
        }
        finally {
            # After a failure: stop the processes of this test that still run.
            $null = New-Item -ItemType File -Path (Join-Path $work 'stop') -Force
            foreach ($child in $children) { if (-not $child.Process.HasExited) { $child.Process.Kill() } }
        }
        $results = @(foreach ($child in $children) {
                $file = Join-Path $work "result-$($child.Name).json"
                if (Test-Path -LiteralPath $file) { Get-Content -LiteralPath $file -Raw | ConvertFrom-Json }
            })
        $created = ($results | ForEach-Object { $_.Stats.Created } | Measure-Object -Sum).Sum
        $resets = ($results | ForEach-Object { $_.Stats.Resets } | Measure-Object -Sum).Sum
        $verifies = ($results | ForEach-Object { $_.Stats.Verifies } | Measure-Object -Sum).Sum
        $reads = ($results | ForEach-Object { $_.Stats.Reads } | Measure-Object -Sum).Sum
        Write-Host ("Load ($Kind): wall time {0:N1} s from the go signal until all 10 processes ended (the 8 creators: {1:N1} s; start-up before the go: {2:N1} s) for {3} keys created, {4} resets, {5} verifications and {6} read rounds" -f
            $wall, $creatorsSeconds, $startupSeconds, $created, $resets, $verifies, $reads)

        $results.Count | Should -Be $children.Count -Because 'every process must write its result'
        Assert-CleanRun $runs $results

        # 4000 keys with unique ids and names: exactly p1-k1 .. p8-k500.
        $keys = @(Get-ApiKey -StorePath $store)
        $keys.Count | Should -Be 4000
        @($keys.Id | Sort-Object -Unique).Count | Should -Be 4000
        @($keys.Name | Sort-Object -Unique).Count | Should -Be 4000
        $expectedNames = foreach ($n in $creators) { foreach ($k in 1..500) { "p$n-k$k" } }
        Compare-Object @($expectedNames) @($keys.Name) | Should -BeNullOrEmpty
        if ($Kind -eq 'SQLite') { (Invoke-StoreScalar $store 'PRAGMA integrity_check') | Should -Be 'ok' }

        # For each id, the key its process printed last must verify (and nothing printed is lost or foreign).
        $latest = @{}
        $byId = @{}
        foreach ($key in $keys) { $byId[$key.Id] = $key.Name }
        $mismatches = foreach ($n in $creators) {
            $lines = @(Read-CompleteLine (Join-Path $work "keys-$n.txt"))
            $lines.Count | Should -Be (500 + 25) -Because "creator $n prints 500 keys and 25 resets"
            foreach ($line in $lines) {
                $id, $index, $name, $key = $line.Split(' ')
                if ($name -cne "p$n-k$index" -or $byId[[int]$id] -cne $name) { "creator $n printed '$line' but id $id is '$($byId[[int]$id])'" }
                $latest[[int]$id] = $key
            }
        }
        $mismatches | Should -BeNullOrEmpty
        $latest.Count | Should -Be 4000
        $verifyWatch = [Diagnostics.Stopwatch]::StartNew()
        $verdicts = @($latest.Values | Test-ApiKey -StorePath $store -Detailed)
        Write-Host ("Load ($Kind): the 4000 last printed keys verified in {0:N1} s" -f $verifyWatch.Elapsed.TotalSeconds)
        $verdicts.Count | Should -Be 4000
        $failed = @($verdicts | Where-Object { -not $_.Valid -or $byId[$_.Id] -cne $_.Name })
        $failed.Count | Should -Be 0 -Because (($failed | Select-Object -First 5 | ForEach-Object { "$($_.Code) for id $($_.Id)" }) -join ', ')

        # The audit log saw every change exactly once.
        $log = @(Get-ApiKeyAuditLog -StorePath $store)
        $creates = @($log | Where-Object Action -EQ 'Create')
        $creates.Count | Should -Be 4000
        @($log | Where-Object Action -EQ 'Reset').Count | Should -Be 200
        $createdIds = [System.Collections.Generic.HashSet[int]]::new([int[]]@($creates.KeyId))
        $createdIds.Count | Should -Be 4000
        @($keys.Id | Where-Object { -not $createdIds.Contains($_) }).Count | Should -Be 0
    }

    # On PostgreSQL: 'PostgreSQL store: reliability' (8 hosts starting on an empty schema).
    It '8 processes that open a new store at the same moment all succeed (first use: creation and schema set-up)' -Tag File {
        # Each round: 8 warmed-up processes wait for the same go file, then each creates a key on a store that does
        # not exist yet. Repeated, because the processes race on creating the file, switching to WAL and creating the
        # schema. Every create must succeed: 8 keys in every store, no error.
        $work = Join-Path $TestDrive "first-use-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $rounds = 60
        $processes = foreach ($n in 1..8) {
            Start-PwshScript (Join-Path $PSScriptRoot 'FirstUseWorker.ps1') @('-Module', $env:APIKEYMODULE_TEST_MODULE, '-WorkDir', $work, '-Index', $n, '-Rounds', $rounds)
        }
        try {
        Wait-Until { @(Get-ChildItem -LiteralPath $work -Filter 'ready-*').Count -eq 8 -or @($processes | Where-Object HasExited).Count -gt 0 } `
            'every first-use process to be ready' -TimeoutSeconds 180
        $watch = [Diagnostics.Stopwatch]::StartNew()
        for ($round = 1; $round -le $rounds; $round++) {
            $null = New-Item -ItemType File -Path (Join-Path $work "go-$round")
            $done = @(1..8 | ForEach-Object { Join-Path $work "done-$round-$_" })
            Wait-Until { @($done | Where-Object { -not [IO.File]::Exists($_) }).Count -eq 0 -or @($processes | Where-Object HasExited).Count -gt 0 } `
                "round $round to finish" -TimeoutSeconds 120 -IntervalMs 2
        }
        $runs = @($processes | ForEach-Object { Wait-PwshScript $_ 60 })
        }
        finally {
            foreach ($process in $processes) { if (-not $process.HasExited) { $process.Kill() } }
        }
        Write-Host ("First use: {0} rounds of 8 processes opening a new store at once in {1:N1} s" -f $rounds, $watch.Elapsed.TotalSeconds)

        $failures = @($runs | ForEach-Object { $_.StdOut -split "`n" } | Where-Object { $_ -like 'FAILED*' })
        $failures | Should -BeNullOrEmpty -Because "every process must be able to use a store another process is creating at the same moment ($($failures.Count) failures in $($rounds * 8) opens)"
        foreach ($run in $runs) {
            $run.ExitCode | Should -Be 0 -Because $run.StdErr
            $run.StdErr | Should -BeNullOrEmpty
        }
        foreach ($round in 1..$rounds) {
            Invoke-StoreScalar (Join-Path $work "store-$round.db") 'SELECT count(*) FROM api_keys' | Should -Be 8
        }
    }
}
