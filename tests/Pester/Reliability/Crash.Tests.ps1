# A process changing the store is killed with SIGKILL ([Process]::Kill() on Unix) at random moments;
# after each kill the store opens (SQLite: PRAGMA integrity_check is ok; PostgreSQL: the killed client's locks are freed
# within a second), what was printed before the kill holds, and no half-written record exists. Each scenario kills its
# worker 20 times. The workers of the next rounds start ahead
# and wait for their go file, so their start-up overlaps the checks, and the checks never race a live writer.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    $script:kills = 20
    $script:maxDelayMs = 200
    # PostgreSQL: the longest time from a kill until the store's tables could be locked exclusively (see Invoke-Kill),
    # in the current test; Npgsql is loaded here, so that its first use is not counted.
    $script:longestRelease = [TimeSpan]::Zero
    if (Test-PostgresRun) { Invoke-StoreNonQuery $env:APIKEYMODULE_TEST_POSTGRES 'SELECT 1' }

    # Starts the worker of one round; it warms up, writes its ready file and waits for its go file.
    # It warms up on a store of its own of the same kind.
    function Start-CrashWorker([string] $Work, [int] $Round, [string[]] $Arguments) {
        $files = @{
            Out   = Join-Path $Work "out-$Round.txt"
            Ready = Join-Path $Work "ready-$Round"
            Go    = Join-Path $Work "go-$Round"
        }
        $process = Start-PwshScript (Join-Path $PSScriptRoot 'CrashWorker.ps1') (@('-Module', $env:APIKEYMODULE_TEST_MODULE, '-OutFile', $files.Out,
                '-ReadyFile', $files.Ready, '-GoFile', $files.Go, '-WarmStore', (New-TestStorePath $TestDrive)) + $Arguments)
        [pscustomobject]@{ Round = $Round; Process = $process; Out = $files.Out; Ready = $files.Ready; Go = $files.Go }
    }

    # The workers of the next two rounds are started ahead (each waits for its go file), so that their start-up
    # overlaps the checks and the round before. $Start makes the worker of a round.
    function New-WorkerQueue([scriptblock] $Start) {
        $queue = [System.Collections.Generic.Queue[object]]::new()
        foreach ($round in 1..([Math]::Min(2, $script:kills))) { $queue.Enqueue((& $Start $round)) }
        [pscustomobject]@{ Queue = $queue; Start = $Start }
    }

    # The worker of the next round (and the one two rounds ahead is started).
    function Get-NextWorker($Workers) {
        $worker = $Workers.Queue.Dequeue()
        if ($worker.Round + 2 -le $script:kills) { $Workers.Queue.Enqueue((& $Workers.Start ($worker.Round + 2))) }
        $worker
    }

    # Kills the workers that are still waiting (after a failure, or the last round): they are this test's own.
    function Stop-Worker($Workers) {
        foreach ($worker in $Workers.Queue) {
            if (-not $worker.Process.HasExited) { $worker.Process.Kill() }
            $null = $worker.Process.WaitForExit(30000)
        }
    }

    # Lets the worker go, waits until it has printed its first line, waits a random short delay and kills it with
    # SIGKILL. On PostgreSQL, the killed client's locks must then be freed within a second: the store's tables are
    # locked exclusively (which waits for every transaction on them) with lock_timeout 1s. Returns the delay.
    function Invoke-Kill($Worker, [string] $Store) {
        Wait-Until { [IO.File]::Exists($Worker.Ready) -or $Worker.Process.HasExited } "worker $($Worker.Round) to be ready" -TimeoutSeconds 120
        $null = New-Item -ItemType File -Path $Worker.Go
        Wait-Until { (Read-CompleteLine $Worker.Out).Count -gt 0 -or $Worker.Process.HasExited } "worker $($Worker.Round) to print" -TimeoutSeconds 60 -IntervalMs 1
        $delay = Get-Random -Minimum 0 -Maximum ($script:maxDelayMs + 1)
        Start-Sleep -Milliseconds $delay
        if ($Worker.Process.HasExited) {
            $run = Wait-PwshScript $Worker.Process
            throw "Worker $($Worker.Round) ended before it was killed (exit code $($run.ExitCode)): $($run.StdErr)"
        }
        $released = [Diagnostics.Stopwatch]::StartNew()
        $Worker.Process.Kill()
        $null = $Worker.Process.WaitForExit(30000)
        if (Test-PostgresStore $Store) {
            try {
                Invoke-StoreNonQuery $Store "SET lock_timeout = '1s'; BEGIN; LOCK TABLE api_keys, audit_log IN ACCESS EXCLUSIVE MODE; ROLLBACK"
            }
            catch {
                throw "Round $($Worker.Round): the store's tables were still locked 1 s after the kill: $($_.Exception.Message)"
            }
            if ($released.Elapsed -gt $script:longestRelease) { $script:longestRelease = $released.Elapsed }
        }
        $delay
    }

    # What the crash test reports on PostgreSQL: the longest time from a kill until its locks were free.
    function Format-LockRelease {
        if ($script:longestRelease -eq [TimeSpan]::Zero) { return '' }
        '; locks free at most {0:N0} ms after a kill' -f $script:longestRelease.TotalMilliseconds
    }

    # The store opens with the module, its integrity check is ok, and every key row is complete: name and its folded
    # form, creation time, allowlist (the one the worker gave, where it made the key), a 32-byte SHA-256 hash, and
    # exactly one Create row in the audit log (written in the same transaction) naming the key.
    function Assert-StoreSound([string] $Store, [switch] $AllowlistFromName) {
        $ErrorActionPreference = 'Stop'
        $null = Get-ApiKey -StorePath $Store
        if (Test-PostgresStore $Store) {
            $incomplete = "SELECT count(*) FROM api_keys WHERE name IS NULL OR name = '' OR name_folded IS DISTINCT FROM upper(name)
                OR created_at IS NULL OR created_at <= 0 OR allowlist IS NULL OR octet_length(key_hash) IS DISTINCT FROM 32
                OR hash_algorithm IS DISTINCT FROM 'sha256' OR revoked"
            $otherAllowlist = "SELECT count(*) FROM api_keys WHERE allowlist IS DISTINCT FROM 'GET /c/' || name"
        }
        else {
            Invoke-StoreScalar $Store 'PRAGMA integrity_check' | Should -Be 'ok'
            $incomplete = "SELECT count(*) FROM api_keys WHERE name IS NULL OR name = '' OR name_folded IS NOT upper(name)
                OR created_at IS NULL OR created_at <= 0 OR allowlist IS NULL OR typeof(key_hash) <> 'blob' OR length(key_hash) <> 32
                OR hash_algorithm IS NOT 'sha256' OR revoked IS NOT 0"
            $otherAllowlist = "SELECT count(*) FROM api_keys WHERE allowlist IS NOT 'GET /c/' || name"
        }
        Invoke-StoreScalar $Store $incomplete | Should -Be 0 -Because 'no key row may be half written'
        if ($AllowlistFromName) {
            Invoke-StoreScalar $Store $otherAllowlist | Should -Be 0
        }
        Invoke-StoreScalar $Store "SELECT count(*) FROM api_keys k WHERE (SELECT count(*) FROM audit_log a
            WHERE a.action = 'Create' AND a.key_id = k.id AND a.key_name = k.name) <> 1" | Should -Be 0 -Because 'every key has its Create row'
    }

    # Verifies keys: returns the verifications that are not Valid (none expected).
    function Get-FailedVerification([string] $Store, [string[]] $Keys) {
        if ($Keys.Count -eq 0) { return @() }
        @($Keys | Test-ApiKey -StorePath $Store -Detailed | Where-Object { -not $_.Valid })
    }
}

Describe 'Crashes — SIGKILL at random moments' {
    BeforeEach { $script:longestRelease = [TimeSpan]::Zero }

    It 'a process creating keys in a pipeline: after each of 20 kills the store is sound and every printed key verifies' {
        $work = Join-Path $TestDrive "crash-create-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $store = New-TestStorePath $TestDrive
        [ApiKeyModule.ApiKeyStore]::Open($store).Dispose()
        $printed = [System.Collections.Generic.List[string]]::new()
        $unprinted = 0
        $workers = New-WorkerQueue { param($r) Start-CrashWorker $work $r @('-Store', $store, '-Mode', 'Create', '-Tag', "r$r") }
        try {
            for ($round = 1; $round -le $script:kills; $round++) {
                $worker = Get-NextWorker $workers
                $null = Invoke-Kill $worker $store

                Assert-StoreSound $store -AllowlistFromName
                $lines = @(Read-CompleteLine $worker.Out)
                @($lines | ForEach-Object { $_.Split(' ')[1] }) | Should -BeExactly @(1..$lines.Count | ForEach-Object { "r$round-$_" }) -Because 'the worker prints its keys in order'
                $keys = @($lines | ForEach-Object { $_.Split(' ')[2] })
                Get-FailedVerification $store $keys | Should -BeNullOrEmpty -Because "every key printed before kill $round must verify"
                # The keys of this round in the store: the printed ones, and at most one more (committed, then killed
                # before it was printed), which is the next in order.
                $rows = Invoke-StoreRows $store "SELECT id, name FROM api_keys WHERE name LIKE 'r$round-%' ORDER BY id"
                ($rows.Count - $keys.Count) | Should -BeIn @(0, 1) -Because "round $round printed $($keys.Count) keys and the store holds $($rows.Count)"
                @($rows | ForEach-Object { $_.name }) | Should -BeExactly @(1..$rows.Count | ForEach-Object { "r$round-$_" })
                @($lines | ForEach-Object { [long]$_.Split(' ')[0] }) | Should -Be @($rows | Select-Object -First $lines.Count | ForEach-Object { [long]$_.id })
                if ($rows.Count -gt $keys.Count) { $unprinted++ }
                # The keys printed in earlier rounds still verify too.
                Get-FailedVerification $store @($printed) | Should -BeNullOrEmpty -Because "every key printed before kill $round must verify"
                $printed.AddRange([string[]]$keys)
            }
        }
        finally { Stop-Worker $workers }
        Write-Host "Crash, create: $($script:kills) kills, $($printed.Count) keys printed, $unprinted kills after a commit and before its print$(Format-LockRelease)"
        Get-FailedVerification $store $printed | Should -BeNullOrEmpty
        Invoke-StoreScalar $store 'SELECT count(*) FROM api_keys' | Should -Be ($printed.Count + $unprinted)
    }

    It 'a process resetting one key again and again: after each of 20 kills the key printed last is the one that works' {
        $work = Join-Path $TestDrive "crash-reset-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $store = New-TestStorePath $TestDrive
        $first = New-ApiKey -StorePath $store -Name 'reset-me' -Allowlist @{ method = 'GET'; resource = '/c/reset-me' }
        $id = $first.Id
        $resetRows = "SELECT count(*) FROM audit_log WHERE action = 'Reset' AND key_id = $id"
        $resetsBefore = 0
        $unprinted = 0
        $printedTotal = 0
        $workers = New-WorkerQueue { param($r) Start-CrashWorker $work $r @('-Store', $store, '-Mode', 'Reset', '-Id', $id) }
        try {
            for ($round = 1; $round -le $script:kills; $round++) {
                $worker = Get-NextWorker $workers
                $null = Invoke-Kill $worker $store

                Assert-StoreSound $store -AllowlistFromName
                Invoke-StoreScalar $store 'SELECT count(*) FROM api_keys' | Should -Be 1
                $printed = @(Read-CompleteLine $worker.Out)
                $printed.Count | Should -BeGreaterThan 0
                $printedTotal += $printed.Count
                $resets = [int](Invoke-StoreScalar $store $resetRows)
                $committed = $resets - $resetsBefore
                $resetsBefore = $resets
                $storedHash = [Convert]::ToHexString((Invoke-StoreScalar $store "SELECT key_hash FROM api_keys WHERE id = $id"))
                $printedHashes = @($printed | ForEach-Object { [Convert]::ToHexString((Get-SecretHash (Get-KeySecret $_))) })
                $last = Test-ApiKey -StorePath $store -Key $printed[-1] -Detailed
                # Two states are legitimate, nothing else:
                #  - every committed reset was printed: the last printed key is the stored one, and it works;
                #  - the kill came after a commit and before its print: exactly one Reset row more than printed keys, the
                #    last printed key no longer works, and the stored hash is of none of the printed keys (a newer one).
                if ($committed -eq $printed.Count) {
                    $last.Code | Should -Be 'Valid' -Because "round ${round}: the key printed last must work"
                    $storedHash | Should -Be $printedHashes[-1]
                }
                elseif ($committed -eq $printed.Count + 1) {
                    $unprinted++
                    $last.Code | Should -Be 'NotFound' -Because "round ${round}: a newer key was committed after the last print"
                    $storedHash | Should -Not -BeIn $printedHashes
                }
                else {
                    throw "Round ${round}: $committed Reset rows were written for $($printed.Count) printed keys; only $($printed.Count) or $($printed.Count + 1) can be right."
                }
                if ($printed.Count -ge 2) {
                    (Test-ApiKey -StorePath $store -Key $printed[-2] -Detailed).Code | Should -Be 'NotFound' -Because 'a reset key stops working at once'
                }
                (Test-ApiKey -StorePath $store -Key $first.Key -Detailed).Code | Should -Be 'NotFound'
            }
        }
        finally { Stop-Worker $workers }
        Write-Host "Crash, reset: $($script:kills) kills, $printedTotal keys printed, $unprinted kills after a commit and before its print$(Format-LockRelease)"
        Invoke-StoreScalar $store $resetRows | Should -Be ($printedTotal + $unprinted)
    }

    It 'a process deleting keys one by one: after each of 20 kills the keys printed as deleted are gone and the others verify' {
        $work = Join-Path $TestDrive "crash-delete-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $work
        $store = New-TestStorePath $TestDrive
        $total = 2000
        $keys = @{}
        1..$total | ForEach-Object { [pscustomobject]@{ Name = "d-$_"; Allowlist = @{ method = 'GET'; resource = "/c/d-$_" } } } |
            New-ApiKey -StorePath $store | ForEach-Object { $keys[$_.Id] = $_.Key }
        $ids = @($keys.Keys | Sort-Object)
        $lastId = $ids[-1]
        $nextId = $ids[0]
        $deletedBefore = 0
        $unprinted = 0
        $printedTotal = 0
        # Each worker starts at the lowest id left, which it looks up when it gets its go file.
        $workers = New-WorkerQueue { param($r) Start-CrashWorker $work $r @('-Store', $store, '-Mode', 'Delete', '-LastId', $lastId) }
        try {
            for ($round = 1; $round -le $script:kills; $round++) {
                $worker = Get-NextWorker $workers
                $null = Invoke-Kill $worker $store
                Assert-StoreSound $store -AllowlistFromName
                $printed = @(Read-CompleteLine $worker.Out | ForEach-Object { [int]$_ })
                $printedTotal += $printed.Count
                $printed | Should -Be @($nextId..($nextId + $printed.Count - 1)) -Because 'the worker deletes in order'
                $deletedRows = Invoke-StoreRows $store "SELECT key_id FROM audit_log WHERE action = 'Delete' ORDER BY id"
                $committed = $deletedRows.Count - $deletedBefore
                $deletedBefore = $deletedRows.Count
                # The printed ids, and at most one more (the next in order: deleted, then killed before its print).
                ($committed - $printed.Count) | Should -BeIn @(0, 1) -Because "round $round printed $($printed.Count) deletions and the audit log has $committed"
                if ($committed -gt $printed.Count) { $unprinted++ }
                $gone = @($deletedRows | Select-Object -Last $committed | ForEach-Object { [int]$_.key_id })
                $gone | Should -Be @($nextId..($nextId + $committed - 1))
                $nextId += $committed
                # A key is gone exactly when its Delete row exists: no partial delete, and the rest is all there.
                Invoke-StoreScalar $store "SELECT count(*) FROM api_keys WHERE id IN (SELECT key_id FROM audit_log WHERE action = 'Delete')" | Should -Be 0
                Invoke-StoreScalar $store 'SELECT count(*) FROM api_keys' | Should -Be ($lastId - $nextId + 1)
                Invoke-StoreScalar $store "SELECT count(*) FROM api_keys WHERE id < $nextId" | Should -Be 0
                foreach ($deleted in @($printed | Select-Object -Last 5)) {
                    Get-ApiKey -StorePath $store -Id $deleted -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                    (Test-ApiKey -StorePath $store -Key $keys[$deleted] -Detailed).Code | Should -Be 'NotFound'
                }
                $left = @($ids | Where-Object { $_ -ge $nextId })
                Get-FailedVerification $store @($left | Get-Random -Count ([Math]::Min(20, $left.Count)) | ForEach-Object { $keys[$_] }) | Should -BeNullOrEmpty
            }
        }
        finally { Stop-Worker $workers }
        Write-Host "Crash, delete: $($script:kills) kills, $printedTotal deletions printed, $unprinted kills after a commit and before its print$(Format-LockRelease)"
        $left = @($ids | Where-Object { $_ -ge $nextId })
        $left.Count | Should -BeGreaterThan 0 -Because 'the test needs keys left to delete in every round'
        Get-FailedVerification $store @($left | ForEach-Object { $keys[$_] }) | Should -BeNullOrEmpty
    }
}
