# Rotation with a grace period: Set-ApiKey -Reset -GracePeriod keeps the replaced key working beside the new
# one until the grace period ends, through the cmdlets, on either kind of store. The engine's rules are proven in
# ApiKeyModule.Engine.Tests/GracePeriodTests.cs; here: parameters, errors, views, Test-ApiKey -Detailed, Edit-ApiKey's
# document, the audit log as Get-ApiKeyAuditLog shows it, and another process's view.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Ends the previous key of key $Id a second ago, as time would; returns that end (ms since 1970).
    function Set-GraceRunOut([string] $Store, [int] $Id) {
        $end = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() - 1000
        Invoke-StoreNonQuery $Store 'UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id' @{ at = $end; id = $Id }
        $end
    }

    # The key's audit entries, newest first, without failed verifications.
    function Get-Changes([string] $Store, [int] $Id) {
        @(Get-ApiKeyAuditLog -StorePath $Store -Id $Id | Where-Object Action -ne 'VerificationFailed')
    }

    # Runs a command and sorts what it did: error records (written or thrown), output, and whether it stopped.
    function Invoke-Sorted([scriptblock] $Run) {
        $ErrorActionPreference = 'Continue'
        $errors = [System.Collections.Generic.List[object]]::new()
        $output = [System.Collections.Generic.List[object]]::new()
        $terminating = $false
        try {
            & $Run 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $output.Add($_) } }
        }
        catch {
            $errors.Add($_)
            $terminating = $true
        }
        [pscustomobject]@{ Errors = $errors.ToArray(); Output = $output.ToArray(); Terminating = $terminating }
    }

    # Everything about a store's keys and audit log that a refused or -WhatIf command must leave as it was.
    function Get-GraceSnapshot([string] $Store) {
        $keys = Invoke-StoreRows $Store 'SELECT id, name, key_hash, revoked, expires_at, previous_key_hash, previous_key_expires_at, previous_key_last_used_at FROM api_keys ORDER BY id'
        $audit = Invoke-StoreScalar $Store 'SELECT count(*) FROM audit_log'
        ($keys | ForEach-Object { ($_.Values | ForEach-Object { if ($_ -is [byte[]]) { [Convert]::ToBase64String($_) } else { "$_" } }) -join '|' }) -join "`n" + "`naudit rows: $audit"
    }
}

Describe 'Set-ApiKey -Reset -GracePeriod' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $old = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
        $bystander = New-ApiKey -StorePath $store -Name 'bystander' -Allowlist @{ method = 'GET'; resource = '/x' }
    }

    It 'writes the new key, which works at once, while the old key works until the grace period ends' {
        $before = [datetime]::UtcNow
        $new = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod (New-TimeSpan -Hours 2)
        $new.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
        $new.PreviousKeyExpiresAt | Should -BeGreaterOrEqual $before.AddHours(2).AddSeconds(-1)
        $new.PreviousKeyExpiresAt | Should -BeLessOrEqual ([datetime]::UtcNow.AddHours(2))
        Test-ApiKey -StorePath $store $new.Key -Method CALL -Resource system.info | Should -BeTrue
        Test-ApiKey -StorePath $store $old.Key -Method CALL -Resource system.info | Should -BeTrue
        Test-ApiKey -StorePath $store $old.Key -Method CALL -Resource disk.info | Should -BeFalse
        (Get-ApiKey -StorePath $store -Id $old.Id).PreviousKeyExpiresAt | Should -Be $new.PreviousKeyExpiresAt
        (Get-ApiKey -StorePath $store -Id $bystander.Id).PreviousKeyExpiresAt | Should -BeNullOrEmpty
    }

    It 'takes the grace period as <Case>' -ForEach @(
        @{ Case = 'a TimeSpan'; Value = [timespan]::FromMinutes(90); Expected = 90 }
        @{ Case = 'd.hh:mm:ss text'; Value = '1.00:00:00'; Expected = 1440 }
        @{ Case = 'hh:mm:ss text'; Value = '00:30:00'; Expected = 30 }
        @{ Case = 'an ISO 8601 duration'; Value = 'PT12H'; Expected = 720 }
        @{ Case = 'an ISO 8601 duration in days'; Value = 'P2D'; Expected = 2880 }
    ) {
        $new = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod $Value
        $minutes = ($new.PreviousKeyExpiresAt - [datetime]::UtcNow).TotalMinutes
        $minutes | Should -BeGreaterThan ($Expected - 1)
        $minutes | Should -BeLessOrEqual $Expected
    }

    It 'changes nothing with -WhatIf, and says the old key keeps working' {
        $snapshot = Get-GraceSnapshot $store
        # -WhatIf speaks to the host: the transcript keeps what it said.
        $transcript = Join-Path $TestDrive "whatif-$([guid]::NewGuid()).txt"
        $null = Start-Transcript -LiteralPath $transcript
        try {
            $output = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '1.00:00:00' -WhatIf
        }
        finally {
            $null = Stop-Transcript
        }
        $output | Should -BeNullOrEmpty
        Get-Content -LiteralPath $transcript -Raw | Should -Match 'Reset the key \(the current key keeps working for 1\.00:00:00, until about \d{4}-\d\d-\d\dT'
        Get-GraceSnapshot $store | Should -BeExactly $snapshot
    }

    It 'refuses <Case> with <ErrorId> (InvalidArgument, terminating: <Terminating>), and changes nothing' -ForEach @(
        @{ Case = 'a negative grace period'; Arguments = @{ Reset = $true; GracePeriod = '-01:00:00' }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = 'a zero grace period'; Arguments = @{ Reset = $true; GracePeriod = [timespan]::Zero }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = 'a bare number (ticks)'; Arguments = @{ Reset = $true; GracePeriod = 30 }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = 'half a second'; Arguments = @{ Reset = $true; GracePeriod = '00:00:00.5' }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = '30 days and a second'; Arguments = @{ Reset = $true; GracePeriod = '30.00:00:01' }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = 'a year'; Arguments = @{ Reset = $true; GracePeriod = 'P365D' }; ErrorId = 'InvalidGracePeriod'; Terminating = $true }
        @{ Case = 'a grace period without -Reset'; Arguments = @{ GracePeriod = '01:00:00' }; ErrorId = 'GracePeriodWithoutReset'; Terminating = $true }
        @{ Case = 'a grace period with a rename but no -Reset'; Arguments = @{ Name = 'renamed'; GracePeriod = '01:00:00' }; ErrorId = 'GracePeriodWithoutReset'; Terminating = $true }
        @{ Case = 'a grace period past the key''s expiry'; Expiring = $true; Arguments = @{ Reset = $true; GracePeriod = '02:00:00' }; ErrorId = 'GracePeriodBeyondExpiry'; Terminating = $false }
        @{ Case = 'a grace period for a revoked key'; Revoked = $true; Arguments = @{ Reset = $true; GracePeriod = '02:00:00' }; ErrorId = 'GracePeriodForInactiveKey'; Terminating = $false }
    ) {
        if ($Expiring) { Set-ApiKey -StorePath $store -Id $old.Id -ExpiresAt ([datetime]::UtcNow.AddHours(1)) }
        if ($Revoked) { Revoke-ApiKey -StorePath $store -Id $old.Id }
        $snapshot = Get-GraceSnapshot $store
        $result = Invoke-Sorted { Set-ApiKey -StorePath $store -Id $old.Id @Arguments }
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $result.Errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $result.Terminating | Should -Be $Terminating
        $result.Output | Should -BeNullOrEmpty
        Get-GraceSnapshot $store | Should -BeExactly $snapshot
        if (-not $Revoked) { Test-ApiKey -StorePath $store $old.Key | Should -BeTrue }
    }

    It 'says how to write a duration when given a bare number' {
        $errors = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod 30 }
        $errors[0].ToString() | Should -Match 'ticks \(-GracePeriod 30 is 3 microseconds\)'
        $errors[0].ToString() | Should -Match '1\.00:00:00'
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'ticks'
        $errors[0].Exception.Message | Should -Not -Match 'GracePeriod' -Because 'the engine speaks to any caller; the cmdlet adds the PowerShell advice'
    }

    It 'refuses text that is not a duration at binding' {
        $errors = Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod 'tomorrow' }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'CannotConvertArgumentNoMessage,*'
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
    }

    It 'accepts a grace period past the old expiry when the reset moves the expiry' {
        Set-ApiKey -StorePath $store -Id $old.Id -ExpiresAt ([datetime]::UtcNow.AddHours(1))
        $new = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '02:00:00' -ExpiresAt ([datetime]::UtcNow.AddDays(1))
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
        Test-ApiKey -StorePath $store $new.Key | Should -BeTrue
    }

    It 'resets each piped key with a grace period, refusing only the one it does not suit' {
        Revoke-ApiKey -StorePath $store -Id $bystander.Id
        $output = @(Get-ApiKey -StorePath $store | Set-ApiKey -Reset -GracePeriod '01:00:00' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $output.Count | Should -Be 1
        $output[0].Id | Should -Be $old.Id
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GracePeriodForInactiveKey,*'
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
    }
}

Describe 'The end of a grace period' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $old = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
        $new = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '1.00:00:00'
    }

    It '<Command> ends it at once, and the audit log says so in the same change' -ForEach @(
        @{ Command = 'Revoke-ApiKey'; Run = { Revoke-ApiKey -StorePath $store -Id $old.Id -Reason 'leaked' }; Action = 'Revoke'; Cause = 'the revocation'; NewKey = $false }
        @{ Command = 'Set-ApiKey -Reset'; Run = { $script:newest = Set-ApiKey -StorePath $store -Id $old.Id -Reset }; Action = 'Reset'; Cause = 'a reset'; NewKey = $false }
        @{ Command = 'Remove-ApiKey'; Run = { Remove-ApiKey -StorePath $store -Id $old.Id -Confirm:$false }; Action = 'Delete'; Cause = 'the deletion'; NewKey = $false }
    ) {
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
        & $Run
        $result = Test-ApiKey -StorePath $store $old.Key -Detailed
        $result.Valid | Should -BeFalse
        $result.Code | Should -Be 'NotFound'
        Test-ApiKey -StorePath $store $new.Key | Should -BeFalse
        $changes = Get-Changes $store $old.Id
        $changes[0].Action | Should -Be $Action
        $changes[1].Action | Should -Be 'GracePeriodEnded'
        $changes[1].Details | Should -Match "^Ended early by $Cause`: the previous key stops working now, not at $([regex]::Escape(($new.PreviousKeyExpiresAt).ToString('yyyy-MM-ddTHH:mm:ss')))"
        $changes[1].Details | Should -Match 'It was last used at \d{4}-'
    }

    It 'is replaced by the key being replaced on a reset with a grace period' {
        $newest = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '02:00:00'
        Test-ApiKey -StorePath $store $old.Key | Should -BeFalse
        (Test-ApiKey -StorePath $store $new.Key -Detailed).UsedPreviousKey | Should -BeTrue
        Test-ApiKey -StorePath $store $newest.Key | Should -BeTrue
        (Get-Changes $store $old.Id)[1].Details | Should -Match '^Ended early by a reset with a new grace period: '
    }

    It 'comes when the grace period runs out' {
        $short = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '00:00:01'
        Test-ApiKey -StorePath $store $new.Key | Should -BeTrue
        Start-Sleep -Milliseconds 1200
        Test-ApiKey -StorePath $store $new.Key | Should -BeFalse
        (Test-ApiKey -StorePath $store $short.Key -Detailed).PreviousKeyExpiresAt | Should -BeNullOrEmpty
        (Get-ApiKey -StorePath $store -Id $old.Id).PreviousKeyExpiresAt | Should -BeNullOrEmpty
    }

    It 'that ran out is recorded once, by the first verification of the key after it, in another process' {
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
        $end = Set-GraceRunOut $store $old.Id
        Test-ApiKey -StorePath $store $old.Key | Should -BeFalse
        @(Get-Changes $store $old.Id | Where-Object Action -eq 'GracePeriodEnded').Count | Should -Be 0
        # Another process verifies the new key: it notices the end and records it when it closes.
        $pwsh = Join-Path $PSHOME 'pwsh'
        & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:APIKEYMODULE_TEST_MODULE'; Test-ApiKey -StorePath '$store' '$($new.Key)'" | Should -Be 'True'
        Test-ApiKey -StorePath $store $new.Key | Should -BeTrue
        $ended = @(Get-Changes $store $old.Id | Where-Object Action -eq 'GracePeriodEnded')
        $ended.Count | Should -Be 1
        $shown = [DateTimeOffset]::FromUnixTimeMilliseconds($end).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'")
        $ended[0].Details | Should -BeLike "The grace period ran out: the previous key stopped working at $shown. It was last used at *"
        # The next change removes the spent key from the row, and records nothing more.
        Set-ApiKey -StorePath $store -Id $old.Id -Name 'renamed'
        @(Get-Changes $store $old.Id | Where-Object Action -eq 'GracePeriodEnded').Count | Should -Be 1
        Invoke-StoreScalar $store 'SELECT count(*) FROM api_keys WHERE previous_key_hash IS NOT NULL' | Should -Be 0
    }
}

Describe 'What shows a grace period' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $old = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
        $new = Set-ApiKey -StorePath $store -Id $old.Id -Reset -GracePeriod '1.00:00:00'
    }

    It 'Test-ApiKey -Detailed says the previous key was used, and until when it works' {
        $byOld = Test-ApiKey -StorePath $store $old.Key -Detailed
        $byOld.Valid | Should -BeTrue
        $byOld.UsedPreviousKey | Should -BeTrue
        $byOld.PreviousKeyExpiresAt | Should -Be $new.PreviousKeyExpiresAt
        $byOld.PreviousKeyExpiresAt.ToString() | Should -MatchExactly '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
        $byNew = Test-ApiKey -StorePath $store $new.Key -Detailed
        $byNew.UsedPreviousKey | Should -BeFalse
        $byNew.PreviousKeyExpiresAt | Should -Be $new.PreviousKeyExpiresAt
        ($byOld | Format-List | Out-String -Width 200) | Should -Match '(?m)^UsedPreviousKey\s*: True\s*$'
        $verbose = Test-ApiKey -StorePath $store $old.Key -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match "Verification: Valid \(Id $($old.Id)\), by the key's previous key, which works until "
    }

    It 'a key shows until when its previous key works and when it was last used, as ISO dates in Format-List and CSV' {
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
        $key = Get-ApiKey -StorePath $store -Id $old.Id
        $key.PreviousKeyLastUsedAt | Should -BeOfType [datetime]
        $text = $key | Format-List | Out-String -Width 200
        $text | Should -Match "(?m)^PreviousKeyExpiresAt\s*: $([regex]::Escape($key.PreviousKeyExpiresAt.ToString('yyyy-MM-ddTHH:mm:ssZ')))\s*$"
        $text | Should -Match '(?m)^PreviousKeyLastUsedAt\s*: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$'
        $csv = $key | ConvertTo-Csv | ConvertFrom-Csv
        $csv.PreviousKeyExpiresAt | Should -MatchExactly '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
    }

    It 'the written key shows PreviousKeyExpiresAt after a reset with a grace period, and not otherwise' {
        ($new | Out-String -Width 200) | Should -Match '(?m)^PreviousKeyExpiresAt\s*: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$'
        $plain = Set-ApiKey -StorePath $store -Id $old.Id -Reset
        $plain.PreviousKeyExpiresAt | Should -BeNullOrEmpty
        ($plain | Out-String -Width 200) | Should -Not -Match 'PreviousKeyExpiresAt'
        (Get-ApiKey -StorePath $store -Id $old.Id | Format-List | Out-String -Width 200) | Should -Match '(?m)^PreviousKeyExpiresAt\s*:\s*$'
    }

    It 'the audit log records the rotation with the end of the grace period' {
        $reset = (Get-Changes $store $old.Id)[0]
        $reset.Action | Should -Be 'Reset'
        $reset.Details | Should -BeLike "The previous key works until $($new.PreviousKeyExpiresAt.ToString('yyyy-MM-ddTHH:mm:ss'))*Z."
    }

    It 'Copy-ApiKeyStore carries the previous key, which works in the copy' {
        Test-ApiKey -StorePath $store $old.Key | Should -BeTrue
        $destination = Join-Path $TestDrive "copy-$([guid]::NewGuid()).db"
        $null = Copy-ApiKeyStore -StorePath $store -Destination $destination
        $copied = Get-ApiKey -StorePath $destination -Id $old.Id
        $copied.PreviousKeyExpiresAt | Should -Be $new.PreviousKeyExpiresAt
        $copied.PreviousKeyLastUsedAt | Should -Be (Get-ApiKey -StorePath $store -Id $old.Id).PreviousKeyLastUsedAt
        (Test-ApiKey -StorePath $destination $old.Key -Detailed).UsedPreviousKey | Should -BeTrue
        Test-ApiKey -StorePath $destination $new.Key | Should -BeTrue
    }
}

Describe 'Edit-ApiKey and the grace period' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $old = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'CALL'; resource = 'system.*' }
    }

    It 'offers grace_period: null next to reset: false, under a "# Duration:" comment' {
        $template = Edit-ApiKey -StorePath $store -Id $old.Id -Template
        $template | Should -Match "(?m)^reset: false\n# Duration: with reset: true, how long the current key keeps working"
        $template | Should -Match '(?m)^grace_period: null$'
    }

    It 'resets with a grace period from a document, writing the new key' {
        $new = Edit-ApiKey -StorePath $store -Id $old.Id -Yaml "reset: true`ngrace_period: PT12H"
        $new.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
        ($new.PreviousKeyExpiresAt - [datetime]::UtcNow).TotalHours | Should -BeGreaterThan 11.9
        (Test-ApiKey -StorePath $store $old.Key -Detailed).UsedPreviousKey | Should -BeTrue
        Test-ApiKey -StorePath $store $new.Key | Should -BeTrue
        Edit-ApiKey -StorePath $store -Id $old.Id -Template | Should -Match "(?m)^# Its previous key works until \d{4}-"
    }

    It 'changes nothing with -WhatIf' {
        $snapshot = Get-GraceSnapshot $store
        Edit-ApiKey -StorePath $store -Id $old.Id -Yaml "reset: true`ngrace_period: 1.00:00:00" -WhatIf | Should -BeNullOrEmpty
        Get-GraceSnapshot $store | Should -BeExactly $snapshot
    }

    It 'refuses <Case> with <ErrorId>, and changes nothing' -ForEach @(
        @{ Case = 'a grace period without reset: true'; Document = "reset: false`ngrace_period: P1D"; ErrorId = 'GracePeriodWithoutReset' }
        @{ Case = 'a grace period of 31 days'; Document = "reset: true`ngrace_period: P31D"; ErrorId = 'InvalidGracePeriod' }
        @{ Case = 'a grace period that is not a duration'; Document = "reset: true`ngrace_period: soon"; ErrorId = 'InvalidGracePeriod' }
    ) {
        $snapshot = Get-GraceSnapshot $store
        $errors = Get-ErrorRecord { Edit-ApiKey -StorePath $store -Id $old.Id -Yaml $Document }
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        Get-GraceSnapshot $store | Should -BeExactly $snapshot
    }
}
