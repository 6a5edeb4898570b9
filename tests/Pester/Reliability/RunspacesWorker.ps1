# One process of the runspace tests (Runspaces.Tests.ps1). It prints what it did on stdout, one line each:
# "KEY <id> <key>" for a key it made or reset, "ERR <ErrorId>: <message>" for any error, "BAD <what>" for a wrong
# verification, "VERIFIED <n>" for how many verifications it made, and last "ERRORS <n>" ($Error of the main runspace).
# Roles:
#   FirstAct        its first act: a ForEach-Object -Parallel that imports the module in every runspace and creates
#                   $Count keys on $Store, which does not exist yet.
#   SharedVerifier  makes keys, opens one ApiKeyVerifier and hands it to thread jobs and to -Parallel runspaces, which
#                   verify with it while other runspaces reset keys. Steady keys must always be valid; a reset key's
#                   first key valid or not found (never another answer); the last key of each reset valid at the end.
#   Interleaved     runspaces that verify the keys of $WorkDir/keys.json (which never stop being valid) and runspaces
#                   that change them (allowlist, name, expiry; the reset keys are reset, each by one runspace), while
#                   the Changer process changes the same keys. Waits for $WorkDir/go after writing ready-<Role>.
#   Changer         changes the allowlist, name and expiry of every key of keys.json, $Count rounds.
param(
    [Parameter(Mandatory)] [ValidateSet('FirstAct', 'SharedVerifier', 'Interleaved', 'Changer')] [string] $Role,
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [int] $Count = 48,
    [int] $Throttle = 16,
    [string] $WorkDir
)
$ErrorActionPreference = 'Stop'

# Both allow CALL system.info: a key changed from one to the other never stops being valid for it.
$allowlists = @(
    , @(@{ method = 'CALL'; resource = 'system.*' })
    , @(@{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' })
)

function Write-Line([string] $Text) { [Console]::Out.WriteLine($Text) }

function Wait-Go {
    $null = New-Item -ItemType File -Path (Join-Path $WorkDir "ready-$Role")
    $go = Join-Path $WorkDir 'go'
    $deadline = [DateTime]::UtcNow.AddMinutes(3)
    while (-not [IO.File]::Exists($go)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw 'no go signal within 3 minutes' }
        Start-Sleep -Milliseconds 5
    }
}

switch ($Role) {
    'FirstAct' {
        $lines = 1..$Count | ForEach-Object -Parallel {
            try {
                Import-Module $using:Module
                $key = New-ApiKey -Name "p$_" -Allowlist @{ method = 'CALL'; resource = 'system.*' } -StorePath $using:Store -ErrorAction Stop
                "KEY $($key.Id) $($key.Key)"
            }
            catch {
                "ERR $($_.FullyQualifiedErrorId): $($_.Exception.Message)"
            }
        } -ThrottleLimit $Throttle
        $lines | ForEach-Object { Write-Line $_ }
    }

    'SharedVerifier' {
        Import-Module $Module
        $steady = @(1..12 | ForEach-Object { (New-ApiKey -StorePath $Store -Name "steady$_" -Allowlist $allowlists[0]).Key })
        $moving = @(1..4 | ForEach-Object { New-ApiKey -StorePath $Store -Name "moving$_" -Allowlist $allowlists[0] })
        $firstKeys = @($moving | ForEach-Object Key)
        $verifier = [ApiKeyModule.ApiKeyVerifier]::Open($Store)
        try {
            # What each verifying runspace runs: text, since a script block cannot cross into -Parallel with $using.
            $verify = {
                param($Verifier, [string[]] $Steady, [string[]] $Moving, [int] $Rounds)
                $done = 0
                for ($round = 0; $round -lt $Rounds; $round++) {
                    foreach ($key in $Steady) {
                        $result = $Verifier.Verify($key, 'CALL', 'system.info')
                        $done++
                        if (-not $result.Valid) { "BAD a steady key gave $($result.Code)" }
                    }
                    foreach ($key in $Moving) {
                        $result = $Verifier.Verify($key)
                        $done++
                        if ($result.Code -notin 'Valid', 'NotFound') { "BAD a reset key gave $($result.Code)" }
                    }
                }
                "VERIFIED $done"
            }.ToString()
            $jobs = @(1..3 | ForEach-Object {
                    Start-ThreadJob -ScriptBlock ([scriptblock]::Create($verify)) -ArgumentList $verifier, $steady, $firstKeys, 15
                })
            $lines = 1..8 | ForEach-Object -Parallel {
                try {
                    if ($_ -le 4) {
                        # One runspace per moving key resets it again and again.
                        Import-Module $using:Module
                        $id = ($using:moving)[$_ - 1].Id
                        for ($n = 0; $n -lt 10; $n++) {
                            $key = Set-ApiKey -Id $id -Reset -StorePath $using:Store -Confirm:$false -ErrorAction Stop
                            "KEY $id $($key.Key)"
                        }
                    }
                    else {
                        & ([scriptblock]::Create($using:verify)) $using:verifier $using:steady $using:firstKeys 15
                    }
                }
                catch {
                    "ERR $($_.FullyQualifiedErrorId): $($_.Exception.Message)"
                }
            } -ThrottleLimit 8
            $lines += @($jobs | Wait-Job | Receive-Job -ErrorAction Continue 2>&1 | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) { "ERR $($_.FullyQualifiedErrorId): $($_.Exception.Message)" } else { $_ }
                })
            foreach ($job in $jobs) { if ($job.State -ne 'Completed') { $lines += "ERR thread job $($job.Id) ended $($job.State)" } }
            $jobs | Remove-Job
            # Once every reset is done: the first keys are refused and the last printed ones accepted, by the same verifier.
            $latest = @{}
            foreach ($line in $lines) { if ($line -like 'KEY *') { $null, $id, $key = $line.Split(' '); $latest[$id] = $key } }
            foreach ($key in $firstKeys) {
                $result = $verifier.Verify($key)
                if ($result.Code -ne 'NotFound') { $lines += "BAD a key reset since gave $($result.Code)" }
            }
            foreach ($id in $latest.Keys) {
                $result = $verifier.Verify($latest[$id], 'CALL', 'system.info')
                if (-not $result.Valid) { $lines += "BAD the last key of id $id gave $($result.Code)" }
            }
            foreach ($key in $steady) { $lines += "KEY $($key.Split('-')[0]) $key" }
        }
        finally {
            $verifier.Dispose()
        }
        $lines | ForEach-Object { Write-Line $_ }
    }

    'Interleaved' {
        $keys = Get-Content -LiteralPath (Join-Path $WorkDir 'keys.json') -Raw | ConvertFrom-Json
        Import-Module $Module
        $verifier = [ApiKeyModule.ApiKeyVerifier]::Open($Store)
        try {
            Wait-Go
            $lines = 1..8 | ForEach-Object -Parallel {
                $me = $_
                $keys = $using:keys
                $rounds = $using:Count
                try {
                    Import-Module $using:Module
                    if ($me -le 3) {
                        # Verifiers: through Test-ApiKey (a store of the runspace's own) and the process's one verifier.
                        $done = 0
                        for ($round = 0; $round -lt $rounds; $round++) {
                            foreach ($key in $keys.Fixed) {
                                $result = Test-ApiKey $key -Method CALL -Resource system.info -Detailed -StorePath $using:Store -ErrorAction Stop
                                $shared = ($using:verifier).Verify($key, 'CALL', 'system.info')
                                $done += 2
                                if (-not $result.Valid) { "BAD Test-ApiKey gave $($result.Code) for id $($result.Id)" }
                                if (-not $shared.Valid) { "BAD the shared verifier gave $($shared.Code) for id $($shared.Id)" }
                            }
                        }
                        "VERIFIED $done"
                    }
                    elseif ($me -le 5) {
                        # Each reset key is reset by one runspace only, which prints each new key.
                        $mine = @($keys.ResetIds | Where-Object { $_ % 2 -eq $me % 2 })
                        for ($round = 0; $round -lt $rounds; $round++) {
                            foreach ($id in $mine) {
                                $key = Set-ApiKey -Id $id -Reset -StorePath $using:Store -Confirm:$false -ErrorAction Stop
                                "KEY $id $($key.Key)"
                            }
                        }
                    }
                    else {
                        $allowlists = $using:allowlists
                        for ($round = 0; $round -lt $rounds; $round++) {
                            foreach ($id in @($keys.FixedIds) + @($keys.ResetIds)) {
                                Set-ApiKey -Id $id -StorePath $using:Store -Allowlist $allowlists[($round + $me) % 2] -Name "k$id-a$me-$round" `
                                    -ExpiresAt ([DateTime]::UtcNow.AddDays(1 + $round)) -ErrorAction Stop
                            }
                        }
                    }
                }
                catch {
                    "ERR $($_.FullyQualifiedErrorId): $($_.Exception.Message)"
                }
            } -ThrottleLimit 8
        }
        finally {
            $verifier.Dispose()
        }
        $lines | ForEach-Object { Write-Line $_ }
    }

    'Changer' {
        $keys = Get-Content -LiteralPath (Join-Path $WorkDir 'keys.json') -Raw | ConvertFrom-Json
        Import-Module $Module
        Wait-Go
        try {
            for ($round = 0; $round -lt $Count; $round++) {
                foreach ($id in @($keys.FixedIds) + @($keys.ResetIds)) {
                    Set-ApiKey -Id $id -StorePath $Store -Allowlist $allowlists[$round % 2] -Name "k$id-b-$round" -ExpiresAt ([DateTime]::UtcNow.AddDays(30 + $round)) -ErrorAction Stop
                }
            }
        }
        catch {
            Write-Line "ERR $($_.FullyQualifiedErrorId): $($_.Exception.Message)"
        }
    }
}
Write-Line "ERRORS $($Error.Count)"
exit 0
