# A store is opened only when nobody else can write it: its folder, the database, its -wal and -shm files, and the
# links that lead to them. The other user's part of each attack runs as nobody (setpriv), when the tests run as root.
BeforeDiscovery {
    $script:skip = $null
    if ($IsWindows) { $script:skip = 'file owners and modes are checked on Unix only' }
    elseif ((id -u) -ne '0') { $script:skip = 'the other user''s part needs root (to act as nobody with setpriv and to chown)' }
    elseif (-not (Get-Command setpriv -ErrorAction Ignore)) { $script:skip = 'setpriv is not installed' }
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Runs a shell command as the unprivileged user nobody.
    function Invoke-AsNobody([string] $Command) {
        & setpriv --reuid=65534 --regid=65534 --clear-groups sh -c $Command
        if ($LASTEXITCODE -ne 0) { throw "As nobody, '$Command' failed ($LASTEXITCODE)." }
    }

    function New-Folder([string] $Mode) {
        $folder = Join-Path $TestDrive "trust-$([guid]::NewGuid())"
        $null = New-Item -ItemType Directory -Path $folder
        & chmod $Mode $folder
        $folder
    }

    function Get-FolderState([string] $Folder) {
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        @(Get-ChildItem -LiteralPath $Folder -Force | Sort-Object Name |
                ForEach-Object { "$($_.Name):$($_.Length):$((Get-FileHash -LiteralPath $_.FullName).Hash)" }) -join ';'
    }

    function Assert-NotPrivate([scriptblock] $Command, [string] $Because) {
        $errors = Get-ErrorRecord $Command
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'StoreNotPrivate,*'
        "$($errors[0].CategoryInfo.Category)" | Should -Be 'SecurityError'
        $errors[0].Exception.Message | Should -BeLike "*$Because*"
        $errors[0].Exception.Message | Should -BeLike '*Nothing was read or changed*'
    }
}

Describe 'Opening a store checks what it finds' -Tag File -Skip:([bool]$skip) {
    AfterEach {
        Remove-Item Env:APIKEYMODULE_SHARED_GROUP -ErrorAction Ignore
    }

    It 'refuses an empty store that another user made in a folder everyone can write, and leaves it as it was' {
        $folder = New-Folder 1777
        Invoke-AsNobody "touch '$folder/keys.db' && chmod 666 '$folder/keys.db'"
        $before = Get-FolderState $folder
        Assert-NotPrivate { New-ApiKey -StorePath "$folder/keys.db" -Name 'admin' -Allowlist @{ method = '*'; resource = '*' } } 'other users can write it'
        Get-FolderState $folder | Should -Be $before
        (Get-Item "$folder/keys.db").Length | Should -Be 0
    }

    It 'refuses a folder that its group can write, unless that group is named in $env:APIKEYMODULE_SHARED_GROUP' {
        $folder = New-Folder 770
        Assert-NotPrivate { New-ApiKey -StorePath "$folder/keys.db" -Name 'k' -WarningAction Ignore } 'its group'
        Test-Path "$folder/keys.db" | Should -BeFalse
    }

    It 'refuses a store file that belongs to another user' {
        $folder = New-Folder 755
        $store = "$folder/keys.db"
        $null = New-ApiKey -StorePath $store -Name 'k' -WarningAction Ignore
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        & chown 65534 $store
        Assert-NotPrivate { Get-ApiKey -StorePath $store } 'belongs to another user (uid 65534)'
    }

    It 'refuses a store file that others can write (mode 0666), and accepts one they can only read (0644)' {
        $folder = New-Folder 755
        $store = "$folder/keys.db"
        $null = New-ApiKey -StorePath $store -Name 'k' -WarningAction Ignore
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        & chmod 666 $store
        Assert-NotPrivate { Get-ApiKey -StorePath $store } 'other users can write it (mode 0666)'
        & chmod 644 $store
        (Get-ApiKey -StorePath $store).Name | Should -Be 'k'
    }

    It 'refuses a -wal file planted by another user beside a private store, before it can replace the keys' {
        $folder = New-Folder 700
        $store = "$folder/keys.db"
        $victim = New-ApiKey -StorePath $store -Name 'victim' -Allowlist @{ method = 'GET'; resource = '/x' }
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        # The folder is opened for a moment only so that nobody can plant the file; then it is private again.
        & chmod 777 $folder
        Invoke-AsNobody "printf 'not a wal' > '$store-wal'"
        & chmod 700 $folder
        $before = Get-FolderState $folder
        Assert-NotPrivate { Get-ApiKey -StorePath $store } 'keys.db-wal file'
        Assert-NotPrivate { Test-ApiKey -StorePath $store -Key $victim.Key } 'keys.db-wal file'
        Get-FolderState $folder | Should -Be $before
    }

    It 'refuses a symbolic link made by another user, and follows one of the user''s own to a private store' {
        $folder = New-Folder 755
        $real = "$folder/real.db"
        $null = New-ApiKey -StorePath $real -Name 'real' -WarningAction Ignore
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        $own = "$folder/own-link.db"
        $null = New-Item -ItemType SymbolicLink -Path $own -Target $real
        (Get-ApiKey -StorePath $own).Name | Should -Be 'real'
        $theirs = "$folder/their-link.db"
        $null = New-Item -ItemType SymbolicLink -Path $theirs -Target $real
        & chown -h 65534 $theirs
        Assert-NotPrivate { Get-ApiKey -StorePath $theirs } 'symbolic link made by another user'
    }

    It 'does not turn another file of the user''s, reached through a link, into a store when others can write it' {
        $folder = New-Folder 755
        $target = "$folder/notes.txt"
        $null = New-Item -ItemType File -Path $target
        & chmod 666 $target
        $link = "$folder/keys.db"
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $target
        Assert-NotPrivate { New-ApiKey -StorePath $link -Name 'k' -WarningAction Ignore } 'other users can write it'
        (Get-Item $target).Length | Should -Be 0
    }

    It 'with $env:APIKEYMODULE_SHARED_GROUP: a group shares the store, and write by others is still refused' {
        $gid = 100
        $folder = New-Folder 2770
        & chgrp $gid $folder
        $store = "$folder/keys.db"
        $env:APIKEYMODULE_SHARED_GROUP = "$gid"
        $key = New-ApiKey -StorePath $store -Name 'shared' -Allowlist @{ method = 'GET'; resource = '/x' }
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        (& stat -c '%a %g' $store) | Should -Be "660 $gid"
        # A member of the group (here: nobody with the group) uses the store too.
        & setpriv --reuid=65534 --regid=65534 --groups=$gid sh -c "test -w '$store'"
        $LASTEXITCODE | Should -Be 0
        & chown 65534 $store
        $key | Test-ApiKey | Should -BeTrue
        & chmod 666 $store
        Assert-NotPrivate { Get-ApiKey -StorePath $store } 'other users can write it'
        & chmod 660 $store
        & chmod 2777 $folder
        Assert-NotPrivate { Get-ApiKey -StorePath $store } 'other users can write it'
    }

    It 'names a shared group that does not exist as an error' {
        $env:APIKEYMODULE_SHARED_GROUP = 'no-such-group-here'
        $errors = Get-ErrorRecord { New-ApiKey -StorePath (New-TestStorePath $TestDrive) -Name 'k' -WarningAction Ignore }
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'StoreNotPrivate,*'
        $errors[0].Exception.Message | Should -BeLike "*'no-such-group-here'*does not exist*"
    }
}
