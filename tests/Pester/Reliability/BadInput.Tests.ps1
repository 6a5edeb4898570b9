# A data-driven catalog of bad inputs (BadInput.Catalog.ps1) across every cmdlet: each must give its
# ErrorId and ErrorCategory, stop the command or not as documented, and leave the store unchanged in content (every
# row of every table, hashed before and after). Presented keys that do not parse are no error: Test-ApiKey answers
# $false with Code Malformed, and audits exactly one VerificationFailed row.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'BadInput.Catalog.ps1')
    $errorCases = @($BadInputCatalog | Where-Object { -not $_.ContainsKey('Outcome') })
    $keyCases = @($BadInputCatalog | Where-Object { $_.ContainsKey('Outcome') })
    foreach ($caseStore in $errorCases) {
        if (-not $caseStore.ContainsKey('Store')) { $caseStore.Store = 'Seeded' }
        $caseStore.Stops = if ($caseStore.Terminating) { 'stops the command' } else { 'is a per-item (non-terminating) error' }
    }
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    $script:isRoot = (-not $IsWindows) -and ((id -u) -eq '0')

    # The template stores every case starts from: seeded (seed-one; seed-two with an expiry; seed-three, revoked) and
    # big (the same and 300 keys more, so that half the file cuts through the tables).
    $templates = Join-Path $TestDrive 'templates'
    $null = New-Item -ItemType Directory -Path $templates
    $script:seededTemplate = Join-Path $templates 'seeded.db'
    $script:seed = @{
        One   = New-ApiKey -StorePath $seededTemplate -Name 'seed-one' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
        Two   = New-ApiKey -StorePath $seededTemplate -Name 'seed-two' -Allowlist @{ method = 'GET'; resource = '/pool' }, @{ method = 'POST'; resource = '/pool/*' } -ExpiresAt (Get-Date).AddDays(30)
        Three = New-ApiKey -StorePath $seededTemplate -Name 'seed-three' -Allowlist '[{"method":"*","resource":"*"}]'
    }
    Revoke-ApiKey -StorePath $seededTemplate -Id $seed.Three.Id -Reason 'laptop lost'
    $script:bigTemplate = Join-Path $templates 'big.db'
    [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
    Copy-Item -LiteralPath $seededTemplate -Destination $bigTemplate
    $null = 1..300 | ForEach-Object { "bulk-$_" } | New-ApiKey -StorePath $bigTemplate -Allowlist @{ method = 'GET'; resource = '/bulk' }
    # Closing every connection checkpoints the WAL into the files, so that a copy of the file is the whole store.
    [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()

    # Makes a file or folder read-only for this user. Root writes read-only files anyway, so as root the immutable
    # attribute (chattr +i) is used, which stops root too. Returns why it cannot be done, or $null.
    function Set-ReadOnly([string] $Path) {
        if ($IsWindows) {
            if (Test-Path -LiteralPath $Path -PathType Container) { return 'a read-only folder does not stop writes on Windows' }
            Set-ItemProperty -LiteralPath $Path -Name IsReadOnly -Value $true
            return $null
        }
        if ($script:isRoot) {
            $output = & chattr +i $Path 2>&1
            if ($LASTEXITCODE -ne 0) { return "the tests run as root, and chattr +i (which stops root) failed here: $output" }
            return $null
        }
        $mode = if (Test-Path -LiteralPath $Path -PathType Container) { 'UserRead, UserExecute' } else { 'UserRead' }
        [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode]$mode)
        $null
    }

    function Clear-ReadOnly([string] $Path) {
        if ($IsWindows) { Set-ItemProperty -LiteralPath $Path -Name IsReadOnly -Value $false; return }
        if ($script:isRoot) { $null = & chattr -i $Path 2>&1; return }
        $mode = if (Test-Path -LiteralPath $Path -PathType Container) { 'UserRead, UserWrite, UserExecute' } else { 'UserRead, UserWrite' }
        [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode]$mode)
    }

    # The store a case runs on, in a folder of its own. Compare says how "unchanged" is checked: Content (every row
    # of every table), Bytes (the file's bytes and the folder's listing, for files that are no usable store) or None.
    function New-CaseStore([string] $Kind) {
        $folder = Join-Path $TestDrive "case-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $folder
        $caseStore = [pscustomobject]@{ Kind = $Kind; Folder = $folder; Path = (Join-Path $folder 'keys.db'); File = $null; Compare = 'Content'; SkipReason = $null; ReadOnly = $null; Holder = $null }
        switch ($Kind) {
            'Seeded' { Copy-Item -LiteralPath $seededTemplate -Destination $caseStore.Path }
            'None' { $caseStore.Compare = 'None' }
            'Folder' {
                $null = New-Item -ItemType Directory -Path $caseStore.Path
                $caseStore.Compare = 'Bytes'
            }
            'UnderFile' {
                $caseStore.File = Join-Path $folder 'plain.txt'
                Set-Content -LiteralPath $caseStore.File -Value 'a plain file, where a folder would be'
                $caseStore.Path = Join-Path $caseStore.File 'keys.db'
                $caseStore.Compare = 'Bytes'
            }
            'NotSqlite' {
                Set-Content -LiteralPath $caseStore.Path -Value (1..100 | ForEach-Object { "line $_ of a text file that is not a database" })
                $caseStore.File = $caseStore.Path
                $caseStore.Compare = 'Bytes'
            }
            'Truncated' {
                $bytes = [IO.File]::ReadAllBytes($bigTemplate)
                $half = [byte[]]::new([int][Math]::Floor($bytes.Length / 2))
                [Array]::Copy($bytes, $half, $half.Length)
                [IO.File]::WriteAllBytes($caseStore.Path, $half)
                $caseStore.File = $caseStore.Path
                $caseStore.Compare = 'Bytes'
            }
            'NewerSchema' {
                Copy-Item -LiteralPath $seededTemplate -Destination $caseStore.Path
                Invoke-StoreNonQuery $caseStore.Path 'PRAGMA user_version = 99'
                $caseStore.File = $caseStore.Path
                $caseStore.Compare = 'Bytes'
            }
            'ReadOnlyFile' {
                Copy-Item -LiteralPath $seededTemplate -Destination $caseStore.Path
                $caseStore.SkipReason = Set-ReadOnly $caseStore.Path
                if (-not $caseStore.SkipReason) { $caseStore.ReadOnly = $caseStore.Path }
            }
            { $_ -in 'ReadOnlyFolder', 'NewInReadOnlyFolder' } {
                $inner = Join-Path $folder 'read-only'
                $null = New-Item -ItemType Directory -Path $inner
                $caseStore.Path = Join-Path $inner 'keys.db'
                if ($Kind -eq 'ReadOnlyFolder') {
                    Copy-Item -LiteralPath $seededTemplate -Destination $caseStore.Path
                    $caseStore.File = $caseStore.Path
                }
                $caseStore.Folder = $inner
                $caseStore.Compare = 'Bytes'
                $caseStore.SkipReason = Set-ReadOnly $inner
                if (-not $caseStore.SkipReason) { $caseStore.ReadOnly = $inner }
            }
            'Busy' {
                Copy-Item -LiteralPath $seededTemplate -Destination $caseStore.Path
                $locked = Join-Path $folder 'locked'
                $caseStore.Holder = [pscustomobject]@{
                    Release = Join-Path $folder 'release'
                    Process = Start-PwshScript (Join-Path $PSScriptRoot 'HoldWriteLock.ps1') @('-Module', $env:APIKEYMODULE_TEST_MODULE, '-Store', $caseStore.Path,
                        '-LockedFile', $locked, '-ReleaseFile', (Join-Path $folder 'release'))
                }
                Wait-Until { [IO.File]::Exists($locked) -or $caseStore.Holder.Process.HasExited } 'the other writer to hold the lock' -TimeoutSeconds 120
                if (-not [IO.File]::Exists($locked)) { throw "The lock holder failed: $((Wait-PwshScript $caseStore.Holder.Process).StdErr)" }
            }
            default { throw "Unknown store kind '$Kind'." }
        }
        $caseStore
    }

    # Ends what a case set up: the other writer lets go of the lock; a read-only file or folder is made writable
    # again (so that TestDrive can be removed).
    function Complete-CaseStore($Case) {
        if ($Case.Holder -and -not $Case.Holder.Process.HasExited) {
            $null = New-Item -ItemType File -Path $Case.Holder.Release -Force
            $null = Wait-PwshScript $Case.Holder.Process 60
        }
        if ($Case.ReadOnly) {
            Clear-ReadOnly $Case.ReadOnly
            $Case.ReadOnly = $null
        }
    }

    # What "unchanged" is compared on (after closing the module's pooled connections, so files are complete).
    function Get-CaseSnapshot($Case) {
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        switch ($Case.Compare) {
            'Content' { Get-StoreContent $Case.Path }
            'Bytes' {
                [ordered]@{
                    File    = @(if ($Case.File -and (Test-Path -LiteralPath $Case.File)) { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([IO.File]::ReadAllBytes($Case.File))) })
                    Listing = @(Get-FolderListing $Case.Folder)
                }
            }
            default { [ordered]@{} }
        }
    }

    # Runs a command and sorts what it did: error records (written or thrown), output, and whether it stopped.
    function Invoke-Case([scriptblock] $Run, [string] $StorePath, $Seed) {
        $ErrorActionPreference = 'Continue'
        $errors = [System.Collections.Generic.List[object]]::new()
        $output = [System.Collections.Generic.List[object]]::new()
        $terminating = $false
        try {
            & $Run $StorePath $Seed 2>&1 | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $output.Add($_) }
            }
        }
        catch {
            $errors.Add($_)
            $terminating = $true
        }
        [pscustomobject]@{ Errors = $errors.ToArray(); Output = $output.ToArray(); Terminating = $terminating }
    }

    function Assert-SameSnapshot($Before, $After) {
        foreach ($part in $Before.Keys) {
            (Get-ContentHash $After[$part]) | Should -Be (Get-ContentHash $Before[$part]) -Because "'$part' must be unchanged: $(($After[$part] | Where-Object { $_ -notin $Before[$part] } | Select-Object -First 3) -join ' / ')"
        }
        @($After.Keys) -join ',' | Should -BeExactly (@($Before.Keys) -join ',')
    }
}

Describe 'Bad input — the catalog' -Tag File {
    It 'holds at least 40 bad inputs, and some for every cmdlet' -ForEach @(@{ Catalog = $BadInputCatalog }) {
        $Catalog.Count | Should -BeGreaterOrEqual 40
        $covered = @($Catalog | ForEach-Object { $_.Cmdlet } | Sort-Object -Unique)
        foreach ($cmdlet in 'New-ApiKey', 'Get-ApiKey', 'Set-ApiKey', 'Remove-ApiKey', 'Test-ApiKey', 'Revoke-ApiKey', 'Get-ApiKeyAuditLog', 'Clear-ApiKeyAuditLog') {
            $covered | Should -Contain $cmdlet
        }
    }
}

Describe 'Bad input — <Cmdlet>: <Case>' -Tag File -ForEach $errorCases {
    BeforeAll {
        $caseStore = New-CaseStore $Store
        try {
            if (-not $caseStore.SkipReason) {
                $before = Get-CaseSnapshot $caseStore
                $result = Invoke-Case $Run $caseStore.Path $seed
                Complete-CaseStore $caseStore
                $after = Get-CaseSnapshot $caseStore
            }
        }
        finally {
            Complete-CaseStore $caseStore
        }
    }

    It 'gives <ErrorId> (<Category>), and nothing else' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        $shown = ($result.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId) ($($_.CategoryInfo.Category)): $($_.Exception.Message)" }) -join ' || '
        $result.Errors.Count | Should -Be 1 -Because "exactly one error is expected; got: $shown"
        $record = $result.Errors[0]
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*" -Because $shown
        "$($record.CategoryInfo.Category)" | Should -Be $Category -Because $shown
        $record.Exception.Message | Should -Not -BeNullOrEmpty
        $result.Output | Should -BeNullOrEmpty
    }

    It '<Stops>' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        $result.Terminating | Should -Be $Terminating -Because "$($result.Errors[0].FullyQualifiedErrorId) $(if ($Terminating) { 'must stop the command' } else { 'must let the rest of the pipeline go on' })"
    }

    It 'leaves the store unchanged' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        Assert-SameSnapshot $before $after
    }
}

Describe 'Bad input — Test-ApiKey: <Case>' -Tag File -ForEach $keyCases {
    BeforeAll {
        $caseStore = New-CaseStore 'Seeded'
        $before = Get-StoreContent $caseStore.Path
        $result = Invoke-Case { param($s) Test-ApiKey -StorePath $s -Key $Key } $caseStore.Path $seed
        $after = Get-StoreContent $caseStore.Path
        $detailed = Test-ApiKey -StorePath $caseStore.Path -Key $Key -Detailed
    }

    It 'returns $false, without an error' {
        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 1
        $result.Output[0] | Should -BeOfType [bool]
        $result.Output[0] | Should -BeFalse
    }

    It 'says Code <Outcome> with -Detailed, and names no key' {
        $detailed.Valid | Should -BeFalse
        "$($detailed.Code)" | Should -Be $Outcome
        $detailed.Id | Should -BeNullOrEmpty
        $detailed.Name | Should -BeNullOrEmpty
    }

    It 'adds exactly one VerificationFailed row to the audit log, and changes nothing else' {
        foreach ($part in @($before.Keys | Where-Object { $_ -notin 'audit_log', 'sqlite_sequence' })) {
            (Get-ContentHash $after[$part]) | Should -Be (Get-ContentHash $before[$part]) -Because "'$part' must be unchanged"
        }
        $after['audit_log'].Count | Should -Be ($before['audit_log'].Count + 1)
        (Get-ContentHash @($after['audit_log'] | Select-Object -First $before['audit_log'].Count)) | Should -Be (Get-ContentHash $before['audit_log'])
        $added = (Invoke-StoreRows $caseStore.Path 'SELECT * FROM audit_log ORDER BY id DESC LIMIT 2')[1]
        $added.action | Should -BeExactly 'VerificationFailed'
        $added.key_id | Should -BeNullOrEmpty
        $added.key_name | Should -BeNullOrEmpty
        $added.old_value | Should -BeNullOrEmpty
        $added.new_value | Should -BeNullOrEmpty
        $added.details | Should -BeExactly $Outcome
        # The only other difference: the audit log's AUTOINCREMENT counter moved to the added row.
        @($after['sqlite_sequence'] | Where-Object { $_ -notin $before['sqlite_sequence'] }) | Should -BeExactly @("name=TEXT:9:audit_log|seq=INT:$($added.id)")
    }
}

Describe 'What a read-only store still allows' -Tag File {
    BeforeAll {
        $caseStore = New-CaseStore 'ReadOnlyFile'
    }
    AfterAll {
        Complete-CaseStore $caseStore
    }

    It 'lists keys and reads the audit log of a read-only store file' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        (Get-ApiKey -StorePath $caseStore.Path).Name | Should -Be @('seed-one', 'seed-two', 'seed-three')
        @(Get-ApiKeyAuditLog -StorePath $caseStore.Path).Count | Should -BeGreaterThan 0
    }

    It 'verifies a valid key on a read-only store file (its last use is not recorded)' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        Test-ApiKey -StorePath $caseStore.Path -Key $seed.One.Key -ErrorAction Stop -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'refuses a wrong key on a read-only store file without an error, and warns once that it could not record it' {
        if ($caseStore.SkipReason) { Set-ItResult -Skipped -Because $caseStore.SkipReason; return }
        $wrong = "$($seed.One.Id)-$('x' * 64)"
        $output = $wrong, 'garbage', $wrong | Test-ApiKey -StorePath $caseStore.Path -ErrorAction Stop -WarningVariable warnings -WarningAction SilentlyContinue
        $output | Should -Be @($false, $false, $false)
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match 'could not be recorded'
        "$($warnings[0])" | Should -Match 'cannot be written'
    }
}
