# The store: where it is, how it is created, what it keeps, which files it refuses, and sharing between processes.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Reads a file even while SQLite holds it open.
    function Read-FileShared([string] $Path) {
        $stream = [IO.FileStream]::new($Path, 'Open', 'Read', 'ReadWrite, Delete')
        try {
            $buffer = [IO.MemoryStream]::new()
            $stream.CopyTo($buffer)
            [Text.Encoding]::Latin1.GetString($buffer.ToArray())
        }
        finally { $stream.Dispose() }
    }

    $privateFile = [System.IO.UnixFileMode]'UserRead, UserWrite'
    $privateFolder = [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute'
    $groupOrOther = [System.IO.UnixFileMode]'GroupRead, GroupWrite, GroupExecute, OtherRead, OtherWrite, OtherExecute'
}

BeforeDiscovery {
    # Each cmdlet must stop with a terminating error on a store it cannot use, even with -ErrorAction SilentlyContinue.
    $commands = @(
        @{ Command = 'New-ApiKey'; Run = { param($s) New-ApiKey -StorePath $s -Name 'new' -Allowlist @{ method = 'GET'; resource = '/x' } -ErrorAction SilentlyContinue } }
        @{ Command = 'Get-ApiKey'; Run = { param($s) Get-ApiKey -StorePath $s -ErrorAction SilentlyContinue } }
        @{ Command = 'Get-ApiKey -Name'; Run = { param($s) Get-ApiKey -StorePath $s -Name 'a*' -ErrorAction SilentlyContinue } }
        @{ Command = 'Get-ApiKey -Id'; Run = { param($s) Get-ApiKey -StorePath $s -Id 1 -ErrorAction SilentlyContinue } }
        @{ Command = 'Set-ApiKey'; Run = { param($s) Set-ApiKey -StorePath $s -Id 1 -Reset -ErrorAction SilentlyContinue } }
        @{ Command = 'Remove-ApiKey'; Run = { param($s) Remove-ApiKey -StorePath $s -Id 1 -ErrorAction SilentlyContinue } }
    )
}

Describe 'Store location' {
    BeforeEach {
        $savedXdg = $env:XDG_DATA_HOME
        $savedStore = $env:APIKEYMODULE_STORE
        $env:XDG_DATA_HOME = Join-Path $TestDrive "xdg-$([guid]::NewGuid())"
        Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore
        $defaultStore = Join-Path $env:XDG_DATA_HOME 'ApiKeyModule/apikeys.db'
    }

    AfterEach {
        $env:XDG_DATA_HOME = $savedXdg
        if ($null -eq $savedStore) { Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore } else { $env:APIKEYMODULE_STORE = $savedStore }
    }

    It 'resolves a relative -StorePath against the PowerShell current location' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive "cwd-$([guid]::NewGuid())")
        $file = "relative-$([guid]::NewGuid()).db"
        Push-Location $folder
        try {
            $key = New-ApiKey -StorePath $file -Name 'relative' -Allowlist @{ method = 'GET'; resource = '/x' }
            $subKey = New-ApiKey -StorePath "sub/$file" -Name 'relative-sub' -Allowlist @{ method = 'GET'; resource = '/x' }
        }
        finally {
            Pop-Location
        }
        Test-Path -LiteralPath (Join-Path $folder $file) | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $folder "sub/$file") | Should -BeTrue
        Test-Path -LiteralPath (Join-Path ([Environment]::CurrentDirectory) $file) | Should -BeFalse
        (Get-ApiKey -StorePath (Join-Path $folder $file)).Id | Should -Be $key.Id
        (Get-ApiKey -StorePath (Join-Path $folder "sub/$file")).Id | Should -Be $subKey.Id
    }

    It 'accepts a PowerShell drive path (TestDrive:)' {
        $file = "drive-$([guid]::NewGuid()).db"
        $key = New-ApiKey -StorePath "TestDrive:/$file" -Name 'drive' -Allowlist @{ method = 'GET'; resource = '/x' }
        Test-Path -LiteralPath (Join-Path $TestDrive $file) | Should -BeTrue
        (Get-ApiKey -StorePath (Join-Path $TestDrive $file)).Id | Should -Be $key.Id
    }

    It 'uses $env:XDG_DATA_HOME/ApiKeyModule/apikeys.db by default' -Skip:$IsWindows {
        $key = New-ApiKey -Name 'default-location' -Allowlist @{ method = 'GET'; resource = '/x' }
        Test-Path -LiteralPath $defaultStore -PathType Leaf | Should -BeTrue
        (Get-ApiKey -StorePath $defaultStore).Id | Should -Be $key.Id
        (Get-ApiKey -Name 'default-location').Id | Should -Be $key.Id
    }

    It 'falls back to ~/.local/share when $env:XDG_DATA_HOME is <Case> (XDG Base Directory rules)' -Skip:$IsWindows -ForEach @(
        @{ Case = 'not set'; Xdg = $null }
        @{ Case = 'a relative path'; Xdg = 'relative/xdg' }
    ) {
        $savedHome = $env:HOME
        try {
            $env:HOME = Join-Path $TestDrive "home-$([guid]::NewGuid())"
            $env:XDG_DATA_HOME = $Xdg
            $key = New-ApiKey -Name 'home-fallback' -Allowlist @{ method = 'GET'; resource = '/x' }
            $expected = Join-Path $env:HOME '.local/share/ApiKeyModule/apikeys.db'
            Test-Path -LiteralPath $expected -PathType Leaf | Should -BeTrue
            (Get-ApiKey -StorePath $expected).Id | Should -Be $key.Id
        }
        finally {
            $env:HOME = $savedHome
        }
    }

    It 'uses $env:APIKEYMODULE_STORE instead of the default' {
        $env:APIKEYMODULE_STORE = New-TestStorePath $TestDrive
        $key = New-ApiKey -Name 'from-env' -Allowlist @{ method = 'GET'; resource = '/x' }
        Test-StoreExists $env:APIKEYMODULE_STORE | Should -BeTrue
        Test-Path -LiteralPath $defaultStore | Should -BeFalse
        (Get-ApiKey -StorePath $env:APIKEYMODULE_STORE).Id | Should -Be $key.Id
        Set-ApiKey -Id $key.Id -Name 'from-env-renamed'
        Remove-ApiKey -Id $key.Id
        Get-ApiKey -StorePath $env:APIKEYMODULE_STORE | Should -BeNullOrEmpty
    }

    It 'lets -StorePath win over $env:APIKEYMODULE_STORE' {
        $env:APIKEYMODULE_STORE = New-TestStorePath $TestDrive
        $explicit = New-TestStorePath $TestDrive
        $null = New-ApiKey -StorePath $explicit -Name 'explicit' -Allowlist @{ method = 'GET'; resource = '/x' }
        Test-StoreExists $explicit | Should -BeTrue
        Test-StoreExists $env:APIKEYMODULE_STORE | Should -BeFalse
    }
}

Describe 'Store files' -Tag File {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    It 'creates the store file and missing folders on first use' {
        $nested = Join-Path $TestDrive "$([guid]::NewGuid())/a/b/keys.db"
        $key = New-ApiKey -StorePath $nested -Name 'nested' -Allowlist @{ method = 'GET'; resource = '/x' }
        Test-Path -LiteralPath $nested -PathType Leaf | Should -BeTrue
        (Get-ApiKey -StorePath $nested).Id | Should -Be $key.Id
    }

    It 'creates a new store file with mode 0600' -Skip:$IsWindows {
        $null = New-ApiKey -StorePath $store -Name 'mode' -Allowlist @{ method = 'GET'; resource = '/x' }
        (Get-Item -LiteralPath $store).UnixFileMode | Should -Be $privateFile
    }

    It 'creates new folders for the store with mode 0700' -Skip:$IsWindows {
        $top = Join-Path $TestDrive ([guid]::NewGuid())
        $nested = Join-Path $top 'a/b/keys.db'
        $null = New-ApiKey -StorePath $nested -Name 'mode' -Allowlist @{ method = 'GET'; resource = '/x' }
        (Get-Item -LiteralPath $nested).UnixFileMode | Should -Be $privateFile
        (Get-Item -LiteralPath (Join-Path $top 'a/b')).UnixFileMode | Should -Be $privateFolder
        (Get-Item -LiteralPath (Join-Path $top 'a')).UnixFileMode | Should -Be $privateFolder
        (Get-Item -LiteralPath $top).UnixFileMode | Should -Be $privateFolder
    }

    It 'creates the default store folder with mode 0700 and file with mode 0600' -Skip:$IsWindows {
        $savedXdg = $env:XDG_DATA_HOME
        $savedStore = $env:APIKEYMODULE_STORE
        try {
            $env:XDG_DATA_HOME = Join-Path $TestDrive "xdg-$([guid]::NewGuid())"
            Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore
            $null = New-ApiKey -Name 'default-mode' -Allowlist @{ method = 'GET'; resource = '/x' }
            (Get-Item -LiteralPath (Join-Path $env:XDG_DATA_HOME 'ApiKeyModule')).UnixFileMode | Should -Be $privateFolder
            (Get-Item -LiteralPath (Join-Path $env:XDG_DATA_HOME 'ApiKeyModule/apikeys.db')).UnixFileMode | Should -Be $privateFile
        }
        finally {
            $env:XDG_DATA_HOME = $savedXdg
            if ($null -eq $savedStore) { Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore } else { $env:APIKEYMODULE_STORE = $savedStore }
        }
    }

    It 'keeps every file of the store (including journal files) private to the user' -Skip:$IsWindows {
        $folder = Join-Path $TestDrive ([guid]::NewGuid())
        $inFolder = Join-Path $folder 'keys.db'
        $key = New-ApiKey -StorePath $inFolder -Name 'private' -Allowlist @{ method = 'GET'; resource = '/x' }
        $null = Set-ApiKey -StorePath $inFolder -Id $key.Id -Reset
        $files = @(Get-ChildItem -LiteralPath $folder -File)
        $files.Count | Should -BeGreaterThan 0
        foreach ($file in $files) {
            ($file.UnixFileMode -band $groupOrOther) | Should -Be 0 -Because "$($file.Name) must not be readable by others"
        }
    }

    It 'keeps only a hash of the key: the key is in no file of the store' {
        $marker = "marker-$([guid]::NewGuid())"
        $key = New-ApiKey -StorePath $store -Name $marker -Allowlist @{ method = 'GET'; resource = '/x' }
        $reset = Set-ApiKey -StorePath $store -Id $key.Id -Reset
        $content = (Get-ChildItem -LiteralPath (Split-Path $store) -Filter "$(Split-Path $store -Leaf)*" | ForEach-Object { Read-FileShared $_.FullName }) -join ''
        # The name is there, so the files read hold the key's row.
        $content | Should -BeLike "*$marker*"
        foreach ($secret in $key.Key, $reset.Key) {
            $content.Contains($secret.Substring($secret.IndexOf('-') + 1)) | Should -BeFalse
        }
    }
}

Describe 'Stores that cannot be used' {
    Context 'a folder as -StorePath' -Tag File {
        BeforeEach {
            $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive "folder-$([guid]::NewGuid())")
        }

        It '<Command> stops with StoreUnavailable (OpenError) and leaves the folder empty' -ForEach $commands {
            $thrown = { & $Run $folder.FullName } | Should -Throw -ErrorId 'StoreUnavailable,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'OpenError'
            @(Get-ChildItem -LiteralPath $folder -Force).Count | Should -Be 0
        }
    }

    Context 'a file that is not SQLite' -Tag File {
        BeforeEach {
            $file = Join-Path $TestDrive "text-$([guid]::NewGuid()).db"
            Set-Content -LiteralPath $file -Value (1..100 | ForEach-Object { "line $_ of a text file that is not a database" })
            $hash = (Get-FileHash -LiteralPath $file).Hash
        }

        It '<Command> stops with StoreNotRecognized (InvalidData) and leaves the file unchanged' -ForEach $commands {
            $thrown = { & $Run $file } | Should -Throw -ErrorId 'StoreNotRecognized,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
            [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
            (Get-FileHash -LiteralPath $file).Hash | Should -Be $hash
        }
    }

    Context 'a SQLite database of another application' -Tag File {
        BeforeEach {
            Initialize-Sqlite $TestDrive
            $file = Join-Path $TestDrive "foreign-$([guid]::NewGuid()).db"
            Invoke-StoreNonQuery $file "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me');"
            $hash = (Get-FileHash -LiteralPath $file).Hash
        }

        It '<Command> stops with StoreNotRecognized (InvalidData) and leaves the file unchanged' -ForEach $commands {
            $thrown = { & $Run $file } | Should -Throw -ErrorId 'StoreNotRecognized,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
            [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
            (Get-FileHash -LiteralPath $file).Hash | Should -Be $hash
            Invoke-StoreScalar $file 'SELECT body FROM notes' | Should -BeExactly 'keep me'
        }
    }

    Context 'a store with a newer schema' -Tag File {
        BeforeEach {
            $file = New-TestStorePath $TestDrive
            $key = New-ApiKey -StorePath $file -Name 'from-the-future' -Allowlist @{ method = 'GET'; resource = '/x' }
            $currentVersion = Invoke-StoreScalar $file 'PRAGMA user_version'
            Invoke-StoreNonQuery $file 'PRAGMA user_version = 99'
            $hash = (Get-FileHash -LiteralPath $file).Hash
        }

        It '<Command> stops with StoreSchemaTooNew (InvalidData) and leaves the file unchanged' -ForEach $commands {
            $thrown = { & $Run $file } | Should -Throw -ErrorId 'StoreSchemaTooNew,*' -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
            [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
            (Get-FileHash -LiteralPath $file).Hash | Should -Be $hash
            Invoke-StoreScalar $file 'PRAGMA user_version' | Should -Be 99
        }

        It 'leaves the keys intact, so the store works again at the current version' {
            { Get-ApiKey -StorePath $file } | Should -Throw -ErrorId 'StoreSchemaTooNew,*'
            $currentVersion | Should -BeGreaterThan 0
            Invoke-StoreNonQuery $file "PRAGMA user_version = $currentVersion"
            (Get-ApiKey -StorePath $file).Id | Should -Be $key.Id
        }
    }
}

Describe 'Store shared between processes' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $storeLiteral = ConvertTo-PSLiteral $store
    }

    It 'a key created in another process is seen here, and the other way round' {
        $here = New-ApiKey -StorePath $store -Name 'from-parent' -Allowlist @{ method = 'GET'; resource = '/parent' }
        $json = Invoke-ChildPwsh @"
`$names = @(Get-ApiKey -StorePath $storeLiteral | ForEach-Object Name)
`$child = New-ApiKey -StorePath $storeLiteral -Name 'from-child' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
[pscustomobject]@{ Seen = `$names; Id = `$child.Id } | ConvertTo-Json -Compress
"@
        $result = $json | ConvertFrom-Json
        @($result.Seen) -join ',' | Should -BeExactly 'from-parent'
        $got = Get-ApiKey -StorePath $store -Id $result.Id
        $got.Name | Should -BeExactly 'from-child'
        Format-Allowlist $got | Should -BeExactly 'CALL system.info'
        (Get-ApiKey -StorePath $store).Name -join ',' | Should -BeExactly 'from-parent,from-child'
        $result.Id | Should -BeGreaterThan $here.Id
    }

    It 'changes and removals made in another process are seen here' {
        $renamed = New-ApiKey -StorePath $store -Name 'rename-me' -Allowlist @{ method = 'GET'; resource = '/x' }
        $removed = New-ApiKey -StorePath $store -Name 'remove-me' -Allowlist @{ method = 'GET'; resource = '/x' }
        $null = Invoke-ChildPwsh @"
Set-ApiKey -StorePath $storeLiteral -Id $($renamed.Id) -Name 'renamed-by-child' -Allowlist @{ method = 'PUT'; resource = '/child' }
Remove-ApiKey -StorePath $storeLiteral -Id $($removed.Id)
"@
        $got = Get-ApiKey -StorePath $store
        @($got).Count | Should -Be 1
        $got.Name | Should -BeExactly 'renamed-by-child'
        Format-Allowlist $got | Should -BeExactly 'PUT /child'
    }

    It 'two processes creating keys at the same time both succeed, with distinct Ids and names' {
        $script = {
            param($prefix)
            @"
1..15 | ForEach-Object { `$null = New-ApiKey -StorePath $storeLiteral -Name "$prefix-`$_" -Allowlist @{ method = 'GET'; resource = '/x' } }
'done'
"@
        }
        $first = Start-ChildPwsh (& $script 'first')
        $second = Start-ChildPwsh (& $script 'second')
        (Wait-ChildPwsh $first).Trim() | Should -Be 'done'
        (Wait-ChildPwsh $second).Trim() | Should -Be 'done'
        $all = @(Get-ApiKey -StorePath $store)
        $all.Count | Should -Be 30
        @($all.Id | Sort-Object -Unique).Count | Should -Be 30
        @(Get-ApiKey -StorePath $store -Name 'first-*').Count | Should -Be 15
        @(Get-ApiKey -StorePath $store -Name 'second-*').Count | Should -Be 15
    }
}

Describe 'Where there is no store yet' {
    BeforeAll {
        $notFound = 'ApiKeyNotFound,ApiKeyModule.Commands.{0}'
    }

    BeforeEach {
        $store = if (Test-PostgresRun) { New-TestStorePath $TestDrive } else { Join-Path $TestDrive "none-$([guid]::NewGuid())/apikeys.db" }
    }

    AfterEach {
        Test-StoreExists $store | Should -BeFalse -Because 'reading, changing or removing keys never creates a store'
        if (-not (Test-PostgresStore $store)) {
            Test-Path -LiteralPath (Split-Path $store) | Should -BeFalse -Because 'nor its folder'
        }
    }

    It 'Get-ApiKey lists no keys' {
        @(Get-ApiKey -StorePath $store) | Should -HaveCount 0
        @(Get-ApiKey -StorePath $store -Name 'a*', '*') | Should -HaveCount 0
    }

    It 'Get-ApiKey -Id and -Name <literal> report each key as not found' {
        $null = Get-ApiKey -StorePath $store -Id 1, 2 -ErrorVariable errors -ErrorAction SilentlyContinue
        $null = Get-ApiKey -StorePath $store -Name 'svc' -ErrorVariable +errors -ErrorAction SilentlyContinue
        $errors | Should -HaveCount 3
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be ($notFound -f 'GetApiKeyCommand') }
    }

    It 'Get-ApiKeyAuditLog has no rows' {
        @(Get-ApiKeyAuditLog -StorePath $store) | Should -HaveCount 0
    }

    It '<Command> reports the key as not found, with and without -WhatIf' -ForEach @(
        @{ Command = 'Set-ApiKey'; Run = { param($s, $w) Set-ApiKey -StorePath $s -Id 1 -Name 'x' -WhatIf:$w -ErrorAction SilentlyContinue -ErrorVariable e; $e } }
        @{ Command = 'Remove-ApiKey'; Run = { param($s, $w) Remove-ApiKey -StorePath $s -Id 1 -WhatIf:$w -ErrorAction SilentlyContinue -ErrorVariable e; $e } }
        @{ Command = 'Revoke-ApiKey'; Run = { param($s, $w) Revoke-ApiKey -StorePath $s -Id 1 -WhatIf:$w -ErrorAction SilentlyContinue -ErrorVariable e; $e } }
        @{ Command = 'Edit-ApiKey'; Run = { param($s, $w) Edit-ApiKey -StorePath $s -Id 1 -Template -WhatIf:$w -ErrorAction SilentlyContinue -ErrorVariable e; $e } }
    ) {
        foreach ($whatIf in $true, $false) {
            $errors = @(& $Run $store $whatIf)
            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -Be ($notFound -f ($Command -replace '-', '') + 'Command')
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    It 'a folder in the way is still reported, not taken for a missing store' {
        $folder = Join-Path $TestDrive "folder-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $folder
        { Get-ApiKey -StorePath $folder -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'StoreUnavailable,ApiKeyModule.Commands.GetApiKeyCommand'
    }
}
