# One process, many runspaces (ForEach-Object -Parallel, thread jobs) on one store (a file, or a schema on the test
# server in the PostgreSQL run). The work runs in child processes (RunspacesWorker.ps1), so that each starts fresh. No timing
# assertions: the wall times are reported (Write-Host).
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force

    $script:Kind = if (Test-PostgresRun) { 'PostgreSQL' } else { 'SQLite' }

    function Start-Worker([string] $Role, [string] $Store, [hashtable] $With = @{}) {
        $arguments = @('-Role', $Role, '-Module', $env:APIKEYMODULE_TEST_MODULE, '-Store', $Store)
        foreach ($name in $With.Keys) { $arguments += @("-$name", [string]$With[$name]) }
        Start-PwshScript (Join-Path $PSScriptRoot 'RunspacesWorker.ps1') $arguments
    }

    # Checks that a worker ran clean (exit code 0, nothing on stderr, no ERR or BAD line, no error in its main runspace)
    # and returns what it printed: Keys (id -> every key printed for it, in order) and Verified (how many verifications).
    # Failure messages name errors and ids, never a key.
    function Read-Worker($Process, [string] $Name) {
        $run = Wait-PwshScript $Process 300
        $run.ExitCode | Should -Be 0 -Because "$Name must end cleanly (stderr: $($run.StdErr))"
        $run.StdErr | Should -BeNullOrEmpty -Because "$Name must write nothing to stderr"
        $lines = @($run.StdOut -split "`r?`n" | Where-Object { $_ })
        @($lines | Where-Object { $_ -like 'ERR *' }) | Should -BeNullOrEmpty -Because "$Name must see no error of any kind"
        @($lines | Where-Object { $_ -like 'BAD *' }) | Should -BeNullOrEmpty -Because "$Name must get only right answers"
        @($lines | Where-Object { $_ -like 'ERRORS *' }) | Should -Be 'ERRORS 0' -Because "$Name must end with no error in its main runspace"
        $keys = [ordered]@{}
        $verified = 0
        foreach ($line in $lines) {
            $kind, $id, $key = $line.Split(' ')
            if ($kind -eq 'KEY') {
                if (-not $keys.Contains($id)) { $keys[$id] = [Collections.Generic.List[string]]::new() }
                $keys[$id].Add($key)
            }
            elseif ($kind -eq 'VERIFIED') { $verified += [int]$id }
        }
        [pscustomobject]@{ Keys = $keys; Verified = $verified }
    }

    # Every key verifies on the store (through the cmdlet, in this process); returns how many were checked.
    function Assert-AllVerify([string[]] $Keys, [string] $Store) {
        $verdicts = @($Keys | Test-ApiKey -StorePath $Store -Method CALL -Resource system.info -Detailed)
        $verdicts.Count | Should -Be $Keys.Count
        $failed = @($verdicts | Where-Object { -not $_.Valid })
        $failed | Should -BeNullOrEmpty -Because (($failed | Select-Object -First 5 | ForEach-Object { "$($_.Code) for id $($_.Id)" }) -join ', ')
    }
}


Describe 'One process, many runspaces' {
    It 'fresh processes whose first act is ForEach-Object -Parallel (16 runspaces) importing the module and creating keys on a new store, the machine kept busy: no error, every key verifies' {
        # Two rounds at a time, each in a fresh process on a store of its own, with a third process spinning: the
        # first import and the first use of each store race in every round, on a machine with no core to spare.
        $rounds = 4
        $keysPerRound = 32
        $stop = Join-Path $TestDrive "stop-spinning-$([guid]::NewGuid().ToString('N'))"
        $spinner = Start-RedirectedProcess ((Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-Command',
                "while (-not [IO.File]::Exists($(ConvertTo-PSLiteral $stop))) { }"))
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @()
        try {
            for ($round = 1; $round -le $rounds; $round += 2) {
                $batch = @($round, ($round + 1) | ForEach-Object {
                        $store = New-TestStorePath $TestDrive
                        [pscustomobject]@{ Round = $_; Store = $store; Process = (Start-Worker 'FirstAct' $store @{ Count = $keysPerRound; Throttle = 16 }) }
                    })
                foreach ($run in $batch) {
                    $results += [pscustomobject]@{ Round = $run.Round; Store = $run.Store; Output = (Read-Worker $run.Process "round $($run.Round)") }
                }
            }
        }
        finally {
            $null = New-Item -ItemType File -Path $stop -Force
            if (-not $spinner.WaitForExit(10000)) { $spinner.Kill() }
        }
        Write-Host ("Runspaces ($Kind): {0} fresh processes, each {1} keys from 16 runspaces on a new store, in {2:N1} s" -f $rounds, $keysPerRound, $watch.Elapsed.TotalSeconds)

        $results.Count | Should -Be $rounds
        foreach ($result in $results) {
            $printed = @($result.Output.Keys.Values | ForEach-Object { $_ })
            $printed.Count | Should -Be $keysPerRound -Because "round $($result.Round) prints one key per item"
            $result.Output.Keys.Count | Should -Be $keysPerRound -Because "round $($result.Round): every key has an id of its own"
            @(Get-ApiKey -StorePath $result.Store).Count | Should -Be $keysPerRound
            Assert-AllVerify $printed $result.Store
        }
    }

    It 'one ApiKeyVerifier shared by thread jobs and -Parallel runspaces while other runspaces reset keys: only right answers, the last keys verify' {
        $store = New-TestStorePath $TestDrive
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $output = Read-Worker (Start-Worker 'SharedVerifier' $store) 'the shared-verifier process'
        Write-Host ("Runspaces ($Kind): {0} verifications through one verifier from 3 thread jobs and 4 runspaces, 40 resets beside them, in {1:N1} s" -f $output.Verified, $watch.Elapsed.TotalSeconds)

        # 3 thread jobs and 4 runspaces, 15 rounds of 12 steady and 4 reset keys each.
        $output.Verified | Should -Be (7 * 15 * 16)
        $output.Keys.Count | Should -Be 16
        $reset = @($output.Keys.Values | Where-Object Count -GT 1)
        $reset.Count | Should -Be 4
        $reset | ForEach-Object { $_.Count | Should -Be 10 }
        Assert-AllVerify @($output.Keys.Values | ForEach-Object { $_[-1] }) $store
    }

    It 'verification and changes interleaved in runspaces of one process while another process changes the same keys: no error, only valid answers, every printed key verifies' {
        $store = New-TestStorePath $TestDrive
        $work = Join-Path $TestDrive "interleaved-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $work
        $allow = @{ method = 'CALL'; resource = 'system.*' }
        $fixed = @(1..4 | ForEach-Object { New-ApiKey -StorePath $store -Name "fixed$_" -Allowlist $allow })
        $resetting = @(1..4 | ForEach-Object { New-ApiKey -StorePath $store -Name "reset$_" -Allowlist $allow })
        @{ Fixed = @($fixed.Key); FixedIds = @($fixed.Id); ResetIds = @($resetting.Id) } | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $work 'keys.json')
        $rounds = 8
        $processes = [ordered]@{
            'the interleaving process' = Start-Worker 'Interleaved' $store @{ WorkDir = $work; Count = $rounds }
            'the other process'        = Start-Worker 'Changer' $store @{ WorkDir = $work; Count = 3 * $rounds }
        }
        try {
            Wait-Until { @(Get-ChildItem -LiteralPath $work -Filter 'ready-*').Count -eq 2 -or @($processes.Values | Where-Object HasExited).Count -gt 0 } `
                'both processes to be ready' -TimeoutSeconds 180
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = New-Item -ItemType File -Path (Join-Path $work 'go')
            $outputs = @{}
            foreach ($name in $processes.Keys) { $outputs[$name] = Read-Worker $processes[$name] $name }
        }
        finally {
            $null = New-Item -ItemType File -Path (Join-Path $work 'go') -Force
            foreach ($process in $processes.Values) { if (-not $process.HasExited) { $process.Kill() } }
        }
        $interleaved = $outputs['the interleaving process']
        Write-Host ("Runspaces ($Kind): {0} verifications interleaved with changes in 8 runspaces and another process, in {1:N1} s" -f $interleaved.Verified, $watch.Elapsed.TotalSeconds)

        # 3 verifying runspaces, each round the 4 fixed keys through Test-ApiKey and through the shared verifier.
        $interleaved.Verified | Should -Be (3 * $rounds * 4 * 2)
        $interleaved.Keys.Count | Should -Be 4
        foreach ($id in $interleaved.Keys.Keys) {
            $printed = $interleaved.Keys[$id]
            $printed.Count | Should -Be $rounds -Because "id $id is reset once a round"
            # Only the last key printed for it works; every earlier one is refused.
            $earlier = @($printed | Select-Object -SkipLast 1 | Test-ApiKey -StorePath $store -Detailed)
            @($earlier | Where-Object Code -NE 'NotFound') | Should -BeNullOrEmpty -Because "an earlier key of id $id must be refused"
        }
        Assert-AllVerify (@($fixed.Key) + @($interleaved.Keys.Values | ForEach-Object { $_[-1] })) $store
        @(Get-ApiKey -StorePath $store).Count | Should -Be 8
    }

    It 'a runspace that removes the module leaves its type names and cmdlets working in the other runspaces' -Tag Once {
        $store = New-TestStorePath $TestDrive
        $output = Invoke-ChildPwsh @"
`$removed = 1..4 | ForEach-Object -Parallel {
    Import-Module $(ConvertTo-PSLiteral $env:APIKEYMODULE_TEST_MODULE)
    if (`$_ -eq 1) { Remove-Module ApiKeyModule; 'removed' }
} -ThrottleLimit 4
`$verifier = [ApiKeyModule.ApiKeyVerifier]::Open($(ConvertTo-PSLiteral $store))
`$key = New-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Name 'after' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
"`$removed `$(`$verifier.Verify(`$key.Key, 'CALL', 'system.info').Code)"
`$verifier.Dispose()
"@
        $output.Trim() | Should -BeExactly 'removed Valid'
    }
}
