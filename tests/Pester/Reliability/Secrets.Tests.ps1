# No key is ever written anywhere but to the caller's output: not in the database, its -wal and -shm
# files, any stream (error, warning, verbose, debug, information) of any cmdlet, nor the audit log. And on Unix the
# store file is 0600 and its folder 0700 from the moment they exist.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # The places a text is searched for in bytes: its ASCII (= UTF-8) and its UTF-16LE encodings.
    function Find-Text([byte[]] $Bytes, [string] $Text) {
        $haystack = [Text.Encoding]::Latin1.GetString($Bytes)
        $found = @()
        if ($haystack.Contains([Text.Encoding]::Latin1.GetString([Text.Encoding]::ASCII.GetBytes($Text)))) { $found += 'ASCII' }
        if ($haystack.Contains([Text.Encoding]::Latin1.GetString([Text.Encoding]::Unicode.GetBytes($Text)))) { $found += 'UTF-16LE' }
        $found
    }

    # Everything a stream record can show or carry as text: its message, and for an error its exception chain, target,
    # category, details, ids and script stack.
    function Get-RecordText($Record) {
        $parts = [System.Collections.Generic.List[string]]::new()
        $parts.Add("$Record")
        switch ($Record) {
            { $_ -is [System.Management.Automation.ErrorRecord] } {
                $parts.Add($_.Exception.ToString())
                $parts.Add("$($_.TargetObject)")
                $parts.Add($_.CategoryInfo.ToString())
                $parts.Add("$($_.ErrorDetails)")
                $parts.Add($_.FullyQualifiedErrorId)
                $parts.Add("$($_.ScriptStackTrace)")
            }
            { $_ -is [System.Management.Automation.InformationRecord] } {
                $parts.Add("$($_.MessageData)")
                $parts.Add(($_.Tags -join ' '))
            }
            { $_ -is [System.Management.Automation.InformationalRecord] } { $parts.Add($_.Message) }
        }
        $parts -join "`n"
    }
}

Describe 'Secrets — no key anywhere after a run that creates, resets, verifies and deletes keys' {
    BeforeAll {
        $folder = Join-Path $TestDrive "secrets-$([guid]::NewGuid())"
        $store = if (Test-PostgresRun) { New-TestStorePath $TestDrive } else { Join-Path $folder 'keys.db' }
        $records = [System.Collections.Generic.List[object]]::new()
        $issued = [System.Collections.Generic.List[string]]::new()
        $common = @{ StorePath = $store; Verbose = $true; Debug = $true; InformationAction = 'Continue'; WarningAction = 'Continue' }

        # Runs one command with every stream merged into the pipeline; keeps every non-output record (and a terminating
        # error) and every key the output issues; returns the output.
        function Invoke-Captured([scriptblock] $Command) {
            $ErrorActionPreference = 'Continue'
            $output = [System.Collections.Generic.List[object]]::new()
            try {
                & $Command *>&1 | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.InformationalRecord] -or
                        $_ -is [System.Management.Automation.InformationRecord]) { $records.Add($_) }
                    else { $output.Add($_) }
                }
            }
            catch {
                $records.Add($_)
            }
            foreach ($item in $output) {
                if ($item.PSObject.Properties['Key'] -and $item.Key) { $issued.Add($item.Key) }
                $item
            }
        }

        # Create: an allowlist as a table, as YAML, none (a warning), an expiry, and a pipeline.
        $a = Invoke-Captured { New-ApiKey @common -Name 'secret-a' -Allowlist @{ method = 'CALL'; resource = 'system.*' } }
        $b = Invoke-Captured { New-ApiKey @common -Name 'secret-b' -Allowlist "- method: GET`n  resource: /pool" -ExpiresAt (Get-Date).AddDays(1) }
        $c = Invoke-Captured { New-ApiKey @common -Name 'secret-c' }
        $soon = Invoke-Captured { New-ApiKey @common -Name 'secret-expiring' -Allowlist @{ method = '*'; resource = '*' } -ExpiresAt (Get-Date).AddSeconds(2) }
        $many = Invoke-Captured { 1..5 | ForEach-Object { "secret-many-$_" } | New-ApiKey @common -Allowlist '[{"method":"PUT","resource":"/x/*"}]' }
        $verdicts = [System.Collections.Generic.List[object]]::new()
        # Verify: valid, with a call that is allowed and one that is not, padded, from the pipeline, and a wrong secret.
        foreach ($key in @($a, $b, $c) + $many) {
            $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $key.Key -Detailed }))
        }
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $a.Key -Method CALL -Resource 'system.info' -Detailed }))
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $a.Key -Method CALL -Resource 'disk.info' -Detailed }))
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key "  $($b.Key)`t" -Detailed }))
        $verdicts.Add((Invoke-Captured { $c | Test-ApiKey @common -Detailed }))
        $wrong = "$($a.Id)-$('Z' * 64)"
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $wrong -Detailed }))
        # Reset (the old keys stop working), revoke and reset again, rename, change the allowlist.
        $resets = foreach ($key in @($a, $b) + $many[0..1]) { Invoke-Captured { Set-ApiKey @common -Id $key.Id -Reset } }
        foreach ($key in @($a, $b)) { $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $key.Key -Detailed })) }
        foreach ($key in $resets) { $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $key.Key -Detailed })) }
        $null = Invoke-Captured { Revoke-ApiKey @common -Id $c.Id -Reason 'laptop lost' }
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $c.Key -Detailed }))
        $cReset = Invoke-Captured { Get-ApiKey @common -Id $c.Id | Set-ApiKey @common -Reset }
        $verdicts.Add((Invoke-Captured { $cReset | Test-ApiKey @common -Detailed }))
        $null = Invoke-Captured { Set-ApiKey @common -Id $c.Id -Name 'secret-c-renamed' -Allowlist @{ method = 'GET'; resource = '/c' } -PassThru }
        # A reset with a grace period: the previous key (its hash kept) works beside the new one.
        $graced = Invoke-Captured { Set-ApiKey @common -Id $resets[3].Id -Reset -GracePeriod '01:00:00' }
        foreach ($key in @($resets[3], $graced)) { $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $key.Key -Detailed })) }
        # Errors, with the key bound to the command: a call without a resource, an unknown method, an empty name.
        $null = Invoke-Captured { Test-ApiKey @common -Key $resets[0].Key -Method CALL }
        $null = Invoke-Captured { Test-ApiKey @common -Key $resets[0].Key -Method FETCH -Resource 'system.info' }
        $null = Invoke-Captured { $resets[1] | Set-ApiKey @common -Name '' }
        # An expired key.
        Start-Sleep -Milliseconds 2500
        $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $soon.Key -Detailed }))
        # Delete, verify the deleted keys, delete again (not found), and read everything.
        $null = Invoke-Captured { $many[2..4] | Remove-ApiKey @common -Confirm:$false }
        foreach ($key in $many[2..4]) { $verdicts.Add((Invoke-Captured { Test-ApiKey @common -Key $key.Key -Detailed })) }
        $null = Invoke-Captured { Remove-ApiKey @common -Id $many[2].Id }
        $null = Invoke-Captured { Get-ApiKey @common }
        $null = Invoke-Captured { Get-ApiKey @common -Name 'secret-*' }
        $null = Invoke-Captured { Get-ApiKeyAuditLog @common }

        $secrets = @($issued | ForEach-Object { $_; Get-KeySecret $_ })
        $auditJson = Get-ApiKeyAuditLog -StorePath $store | ConvertTo-Json -Depth 5
    }

    It 'ran the whole life cycle (every key issued verified, resets and deletions took effect)' {
        $issued.Count | Should -Be (9 + 6)
        @($issued | Sort-Object -Unique).Count | Should -Be $issued.Count
        $codes = @($verdicts | ForEach-Object { "$($_.Code)" })
        $codes | Should -Be @(
            @('Valid') * 8
            'Valid', 'Forbidden', 'Valid', 'Valid', 'NotFound'
            'NotFound', 'NotFound'
            @('Valid') * 4
            'Revoked', 'Valid'
            'Valid', 'Valid'
            'Expired'
            @('NotFound') * 3
        )
        $kinds = @($records | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique)
        Write-Host ("Secrets: {0} keys issued; captured {1} stream records ({2})" -f $issued.Count, $records.Count,
            (($records | Group-Object { $_.GetType().Name } | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '))
        $kinds | Should -Contain 'ErrorRecord'
        $kinds | Should -Contain 'WarningRecord'
        $kinds | Should -Contain 'VerboseRecord'
    }

    It 'has no key or secret in the database, its -wal or its -shm file (ASCII and UTF-16LE)' -Tag File {
        # While the module's connections are open (the WAL holds the latest pages), then once they are closed.
        $files = @('', '-wal', '-shm' | ForEach-Object { "$store$_" } | Where-Object { Test-Path -LiteralPath $_ })
        $files.Count | Should -BeGreaterOrEqual 2 -Because 'the store runs in WAL mode'
        $leaks = foreach ($file in $files) {
            $bytes = Read-FileBytesShared $file
            foreach ($text in $secrets) {
                foreach ($encoding in Find-Text $bytes $text) { "$(Split-Path $file -Leaf) holds '$text' ($encoding)" }
            }
        }
        $leaks | Should -BeNullOrEmpty
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        $buffer = [IO.MemoryStream]::new()
        foreach ($file in Get-ChildItem -LiteralPath $folder -File) {
            $bytes = Read-FileBytesShared $file.FullName
            $buffer.Write($bytes, 0, $bytes.Length)
        }
        $all = $buffer.ToArray()
        # The scan sees the rows: a key's name is there.
        Find-Text $all 'secret-many-1' | Should -Contain 'ASCII'
        $leaks = foreach ($text in $secrets) {
            foreach ($encoding in Find-Text $all $text) { "a file of the store holds '$text' ($encoding)" }
        }
        $leaks | Should -BeNullOrEmpty
    }

    It 'has no key or secret in any row of any table of the store on the server' -Tag Server {
        $rows = Invoke-StoreRows $store "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema" @{ schema = Get-StoreSchema $store }
        $tables = @($rows | ForEach-Object { $_.table_name })
        $tables | Should -Contain 'api_keys'
        $text = ($tables | ForEach-Object { (Invoke-StoreRows $store "SELECT t::text AS row FROM `"$_`" t") | ForEach-Object { $_.row } }) -join "`n"
        # The scan sees the rows: a key's name is there.
        $text | Should -Match 'secret-many-1'
        $leaks = foreach ($secret in $secrets) { if ($text.Contains($secret)) { "a row of the store holds '$secret'" } }
        $leaks | Should -BeNullOrEmpty
    }

    It 'has no key or secret in any captured stream record (error, warning, verbose, debug, information)' {
        $leaks = foreach ($record in $records) {
            $text = Get-RecordText $record
            foreach ($secret in $secrets) {
                if ($text.Contains($secret)) { "a $($record.GetType().Name) shows '$secret': $text" }
            }
        }
        $leaks | Should -BeNullOrEmpty
    }

    It 'has no key or secret in the audit log' {
        $auditJson | Should -Not -BeNullOrEmpty
        $auditJson | Should -Match 'VerificationFailed'
        foreach ($secret in $secrets) {
            $auditJson.Contains($secret) | Should -BeFalse
        }
    }
}

Describe 'Secrets — store permissions on Unix' -Tag File -Skip:$IsWindows {
    It 'creates the store file 0600 and its folder 0700, and no other mode is ever seen while they are created (umask 000)' {
        # A watcher polls the modes of the folder, file, -wal and -shm of stores another process creates one after the
        # other, with umask 000 (so anything not set on purpose would be world-readable). The module creates the folder
        # and file with their modes (UnixPermissions.cs), so they never exist with wider modes; SQLite
        # creates -wal and -shm with the mode of the database file.
        $work = Join-Path $TestDrive "modes-$([guid]::NewGuid())"
        $base = Join-Path $work 'stores'
        $null = New-Item -ItemType Directory -Path $base
        $count = 60
        $ready = Join-Path $work 'ready'
        $done = Join-Path $work 'done'
        $resultFile = Join-Path $work 'result.json'
        $poller = Start-PwshScript (Join-Path $PSScriptRoot 'PermissionPoller.ps1') @('-Base', $base, '-Count', $count, '-ReadyFile', $ready, '-DoneFile', $done, '-ResultFile', $resultFile)
        $creator = Start-PwshScript (Join-Path $PSScriptRoot 'PermissionCreator.ps1') @('-Module', $env:APIKEYMODULE_TEST_MODULE, '-Base', $base, '-Count', $count,
            '-ReadyFile', $ready, '-DoneFile', $done) -Umask '000'
        try {
            $created = Wait-PwshScript $creator 180
            $polled = Wait-PwshScript $poller 60
        }
        finally {
            foreach ($process in $creator, $poller) { if (-not $process.HasExited) { $process.Kill() } }
        }
        $created.ExitCode | Should -Be 0 -Because $created.StdErr
        $polled.ExitCode | Should -Be 0 -Because $polled.StdErr
        $result = Get-Content -LiteralPath $resultFile -Raw | ConvertFrom-Json -AsHashtable
        Write-Host ("Store modes: {0:N0} looks; {1} of {2} stores seen while being created; modes seen: {3}" -f $result.Looks, $result.SeenBeingCreated, $count,
            (($result.Seen.Keys | Sort-Object | ForEach-Object { $kind = $_; "$kind " + (($result.Seen[$kind].Keys | ForEach-Object { "$_ x$($result.Seen[$kind][$_])" }) -join ' ') }) -join '; '))
        $result.Seen['folder']['0700'] | Should -BeGreaterThan 0 -Because 'the watcher must have seen the folders'
        $result.Seen['file']['0600'] | Should -BeGreaterThan 0 -Because 'the watcher must have seen the files'
        foreach ($kind in 'folder', 'file', 'wal', 'shm') {
            $expected = if ($kind -eq 'folder') { '0700' } else { '0600' }
            $other = @($result.Seen[$kind].Keys | Where-Object { $_ -ne $expected })
            $other | Should -BeNullOrEmpty -Because "the $kind of a new store must never be seen with a mode other than $expected"
        }
        # And at the end, every store is private.
        foreach ($i in 0..($count - 1)) {
            [int](Get-Item -LiteralPath (Join-Path $base "f$i")).UnixFileMode | Should -Be ([Convert]::ToInt32('700', 8))
            [int](Get-Item -LiteralPath (Join-Path $base "f$i/keys.db")).UnixFileMode | Should -Be ([Convert]::ToInt32('600', 8))
        }
    }
}
