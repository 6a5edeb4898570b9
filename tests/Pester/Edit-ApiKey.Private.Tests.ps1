# Where Edit-ApiKey keeps the document it opens in the editor, and that it does not leave it behind: a folder private
# to the user (ApiKeyModule in $XDG_RUNTIME_DIR, else edit next to the default store), never the shared temp folder;
# the document is removed when pwsh is ended by SIGTERM or SIGHUP while the editor is open; one left by SIGKILL can be
# read by no other user and is removed by the next Edit-ApiKey; a folder that is not private is refused.
# Edit-ApiKey runs in a real pwsh in tmux, with an editor that records the document's path and then waits, as a person
# at an open editor does. tmux comes from the Debian package that .ci/run installs: without it these tests fail.

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    # A tmux started from inside tmux would otherwise refuse or talk to the wrong server.
    $savedTmux = $env:TMUX
    Remove-Item Env:TMUX -ErrorAction Ignore

    # Records the document's path (its second argument) in the file named by the first, and its own pid in that
    # name + '.pid', then waits until it is killed (two minutes at most).
    $waitingEditor = Join-Path $TestDrive 'waiting-editor.sh'
    [IO.File]::WriteAllText($waitingEditor, "#!/bin/sh`necho `$`$ > `"`$1.pid`"`nprintf '%s' `"`$2`" > `"`$1.tmp`" && mv `"`$1.tmp`" `"`$1`"`nexec sleep 120`n")

    $userId = (& id -u).Trim()

    function Invoke-Tmux {
        $output = & tmux -L $socket @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "tmux $($args -join ' ') failed ($LASTEXITCODE): $output" }
        $output
    }

    # Polls $Condition until it is true (60 s at most: a loaded machine starts pwsh slowly).
    function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) {
                $screen = (& tmux -L $socket capture-pane -p -J -S - -t edit 2>&1) -join "`n"
                throw "Timed out after $TimeoutSeconds s waiting until $What. Screen:`n$screen"
            }
            Start-Sleep -Milliseconds 100
        }
    }

    <#
    Runs Edit-ApiKey for a new key in a child pwsh in a tmux window, with the waiting editor as EDITOR, and returns
    once the editor has the document open: Pid (of pwsh), Document (the path it was given), Folders (its TMPDIR
    and XDG_RUNTIME_DIR, see New-ChildFolders), ResultPath (written only if the child script ends normally) and
    ExitPath (where the window's shell writes pwsh's exit status once pwsh has ended).
    #>
    function Start-WaitingEdit([string] $Store) {
        $id = [guid]::NewGuid().ToString('N')
        $folders = New-ChildFolders $TestDrive
        $record = Join-Path $TestDrive "editor-$id.path"
        $pidPath = Join-Path $TestDrive "pwsh-$id.pid"
        $resultPath = Join-Path $TestDrive "result-$id.json"
        $exitPath = Join-Path $TestDrive "exit-$id"
        $config = Join-Path $TestDrive "tmux-$id.conf"
        Set-Content -LiteralPath $config -Value "set -g default-shell /bin/sh`nset -g remain-on-exit on"
        $command = "Set-Content -LiteralPath $(ConvertTo-PSLiteral $pidPath) -Value `$PID; Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $Store)"
        # The shell outlives a Ctrl+C to write pwsh's exit status (a trap, not an ignored signal, which pwsh would inherit).
        $shell = "trap : INT; unset VISUAL; export EDITOR=$(ConvertTo-ShLiteral "sh '$waitingEditor' '$record'"); " +
            "export TMPDIR=$(ConvertTo-ShLiteral $folders.Temp); export XDG_RUNTIME_DIR=$(ConvertTo-ShLiteral $folders.Runtime); " +
            (Get-ChildPwshCommandLine -Script (New-ChildScript -Command $command -ResultPath $resultPath) -NoExec) +
            "; echo `$? > $(ConvertTo-ShLiteral $exitPath)"
        Invoke-Tmux -f $config new-session -d -s edit -x 120 -y 40 $shell | Out-Null
        Wait-Until { Test-Path -LiteralPath $record } 'the editor has the document open'
        [pscustomobject]@{
            Pid        = [int](Get-Content -LiteralPath $pidPath -Raw)
            Document   = Get-Content -LiteralPath $record -Raw
            Folders    = $folders
            ResultPath = $resultPath
            ExitPath   = $exitPath
        }
    }

    function Send-Signal([string] $Signal, [int] $ProcessId) {
        & sh -c 'kill -s "$1" "$2"' sh $Signal $ProcessId
        if ($LASTEXITCODE -ne 0) { throw "kill -s $Signal $ProcessId failed." }
    }

    # The exit status of the child pwsh, once it has ended.
    function Wait-Exit($Edit) {
        Wait-Until { (Test-Path -LiteralPath $Edit.ExitPath) -and (Get-Content -LiteralPath $Edit.ExitPath -Raw) } 'pwsh has ended'
        [int](Get-Content -LiteralPath $Edit.ExitPath -Raw)
    }

    # Mode (octal), owner's user id and type of a path, not following a symbolic link: e.g. '700 0 directory'.
    function Get-UnixStatus([string] $Path) {
        $status = & stat -c '%a %u %F' -- $Path
        if ($LASTEXITCODE -ne 0) { throw "stat $Path failed." }
        $status
    }

    # The command prefix that runs a program as user 65534 (nobody), or a reason why there is none here.
    function Get-OtherUserCommand {
        if ($userId -ne '0') { return 'the tests do not run as root, so they cannot act as another user' }
        foreach ($candidate in @(, @('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups')) + @(, @('runuser', '-u', 'nobody', '--'))) {
            if (Get-Command $candidate[0] -CommandType Application -ErrorAction Ignore) {
                & $candidate[0] @($candidate | Select-Object -Skip 1) true 2>$null
                if ($LASTEXITCODE -eq 0) { return , $candidate }
            }
        }
        'neither setpriv nor runuser can run a command as user 65534 here'
    }

    # A folder to give the child as XDG_RUNTIME_DIR, with an ApiKeyModule folder in it prepared by $Prepare (which
    # gets its path); returns both paths.
    function New-PreparedRuntime([scriptblock] $Prepare) {
        $runtime = Join-Path $TestDrive "prepared-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $runtime | Out-Null
        $folder = Join-Path $runtime 'ApiKeyModule'
        & $Prepare $folder
        [pscustomobject]@{ Runtime = $runtime; Folder = $folder }
    }
}

AfterAll {
    if ($savedTmux) { $env:TMUX = $savedTmux }
}

Describe 'Edit-ApiKey keeps its document private and removes it' {
    BeforeEach {
        if (-not (Get-Command tmux -CommandType Application -ErrorAction Ignore)) {
            throw "'tmux' is not installed: it comes from the Debian package 'tmux', which .ci/run installs."
        }
        $store = New-TestStorePath $TestDrive
        $socket = "apikey-private-test-$([guid]::NewGuid().ToString('N'))"
    }

    AfterEach {
        # A waiting editor outlives the pwsh that a test killed.
        foreach ($pidFile in @(Get-ChildItem -LiteralPath $TestDrive -Filter 'editor-*.path.pid')) {
            & sh -c 'kill -s KILL "$1" 2>/dev/null' sh (Get-Content -LiteralPath $pidFile.FullName -Raw).Trim()
            Remove-Item -LiteralPath $pidFile.FullName
        }
        $socketPath = & tmux -L $socket display-message -p '#{socket_path}' 2>$null
        & tmux -L $socket kill-server 2>&1 | Out-Null
        if ($socketPath) { Remove-Item -LiteralPath $socketPath -Force -ErrorAction Ignore }
    }

    It 'opens a 0600 document in ApiKeyModule in $XDG_RUNTIME_DIR, a 0700 folder of the user''s, and nothing in the temp folder' {
        $edit = Start-WaitingEdit $store
        Split-Path $edit.Document -Parent | Should -Be $edit.Folders.DocumentFolder
        Split-Path $edit.Document -Leaf | Should -Match "^apikey-.+-$($edit.Pid)-[0-9a-f]{32}\.yaml$"
        Get-UnixStatus $edit.Document | Should -Be "600 $userId regular file"
        Get-UnixStatus $edit.Folders.DocumentFolder | Should -Be "700 $userId directory"
        # (The runtime's debug pipes and diagnostics socket are there while pwsh runs.)
        @(Get-ChildItem -Force -LiteralPath $edit.Folders.Temp -Filter '*.yaml').Count | Should -Be 0
    }

    It 'removes the document when pwsh is ended by SIG<Signal> while the editor is open, and pwsh still ends (<Code>)' -ForEach @(
        @{ Signal = 'TERM'; Code = 143 }
        @{ Signal = 'HUP'; Code = 129 }
    ) {
        $edit = Start-WaitingEdit $store
        Test-Path -LiteralPath $edit.Document | Should -BeTrue
        Send-Signal $Signal $edit.Pid
        Wait-Exit $edit | Should -Be $Code -Because 'the signal is not cancelled: pwsh ends as it would have'
        Test-Path -LiteralPath $edit.ResultPath | Should -BeFalse -Because 'the script did not go on after the signal'
        Test-Path -LiteralPath $edit.Document | Should -BeFalse
        @(Get-ChildItem -Force -LiteralPath $edit.Folders.DocumentFolder).Count | Should -Be 0
        @(Get-ApiKey -StorePath $store).Count | Should -Be 0
    }

    It 'removes the document when Ctrl+C ends the editor (pwsh stops the command; it is not killed)' {
        $edit = Start-WaitingEdit $store
        Invoke-Tmux send-keys -t edit C-c | Out-Null
        Wait-Exit $edit | Should -BeLessThan 128 -Because 'pwsh stops the command and ends on its own; no signal ends it'
        Test-Path -LiteralPath $edit.Document | Should -BeFalse
        @(Get-ChildItem -Force -LiteralPath $edit.Folders.DocumentFolder).Count | Should -Be 0
    }

    It 'leaves a document of a pwsh killed with SIGKILL where no other user can read it' {
        $otherUser = Get-OtherUserCommand
        if ($otherUser -is [string]) {
            Set-ItResult -Skipped -Because $otherUser
            return
        }
        $edit = Start-WaitingEdit $store
        Send-Signal KILL $edit.Pid
        Wait-Exit $edit | Should -Be 137
        Test-Path -LiteralPath $edit.Document | Should -BeTrue -Because 'nothing runs on SIGKILL'
        Get-UnixStatus $edit.Folders.DocumentFolder | Should -Be "700 $userId directory"
        Get-UnixStatus $edit.Document | Should -Be "600 $userId regular file"
        # Everything above the private folder is open to the other user, so that only the folder and file can stop it:
        # a file next to the folder is read.
        foreach ($open in $TestDrive, $edit.Folders.Runtime) { & chmod 755 -- $open }
        $control = Join-Path $edit.Folders.Runtime 'control.txt'
        Set-Content -LiteralPath $control -Value 'readable'
        & chmod 644 -- $control
        & $otherUser[0] @($otherUser | Select-Object -Skip 1) cat -- $control 2>&1 | Should -Be 'readable'
        $LASTEXITCODE | Should -Be 0
        $read = & $otherUser[0] @($otherUser | Select-Object -Skip 1) cat -- $edit.Document 2>&1
        $LASTEXITCODE | Should -Not -Be 0 -Because "user 65534 must not read the document (it read: $read)"
    }

    It 'removes, on the next edit, the documents that ended processes of this host left behind, and no others' {
        $edit = Start-WaitingEdit $store
        Send-Signal KILL $edit.Pid
        Wait-Exit $edit | Out-Null
        Test-Path -LiteralPath $edit.Document | Should -BeTrue
        $folder = $edit.Folders.DocumentFolder
        $machine = [Environment]::MachineName
        $living = Join-Path $folder "apikey-$machine-$PID-$('1' * 32).yaml"
        $otherHost = Join-Path $folder "apikey-not-$machine-$($edit.Pid)-$('2' * 32).yaml"
        $notADocument = Join-Path $folder "notes-$($edit.Pid).yaml"
        foreach ($path in $living, $otherHost, $notADocument) { Set-Content -LiteralPath $path -Value 'name: kept' }

        $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: after-the-kill/' }
        $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = (Get-ScriptedEditorCommand $plan); XDG_RUNTIME_DIR = $edit.Folders.Runtime }
        $run.Result.ErrorId | Should -BeNullOrEmpty -Because "$($run.Result.Error)"
        $run.Result.Output[0].Name | Should -BeExactly 'after-the-kill'
        Split-Path (Get-Content (Join-Path $plan 'path-1') -Raw) -Parent | Should -Be $folder
        Test-Path -LiteralPath $edit.Document | Should -BeFalse
        @(Get-ChildItem -Force -LiteralPath $folder | Sort-Object Name | ForEach-Object Name) |
            Should -Be @(@($living, $otherHost, $notADocument | Split-Path -Leaf) | Sort-Object)
    }

    It 'keeps the document in <Where> when XDG_RUNTIME_DIR is <Case>, and removes it' -ForEach @(
        @{ Case = 'not set'; Runtime = $null; Where = 'edit next to the default store' }
        @{ Case = 'a folder that does not exist'; Runtime = '/nonexistent/run/user'; Where = 'edit next to the default store' }
    ) {
        $dataHome = Join-Path $TestDrive "data-$([guid]::NewGuid().ToString('N'))"
        $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: in-data-folder/' }
        $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = (Get-ScriptedEditorCommand $plan); XDG_RUNTIME_DIR = $Runtime; XDG_DATA_HOME = $dataHome }
        $run.Result.ErrorId | Should -BeNullOrEmpty -Because "$($run.Result.Error)"
        $folder = Join-Path $dataHome 'ApiKeyModule/edit'
        Split-Path (Get-Content (Join-Path $plan 'path-1') -Raw) -Parent | Should -Be $folder
        (Get-Content (Join-Path $plan 'opened-1.mode') -Raw).Trim() | Should -Be '600'
        Get-UnixStatus $folder | Should -Be "700 $userId directory"
        @(Get-ChildItem -Force -LiteralPath $folder).Count | Should -Be 0
        @(Get-ChildItem -Force -LiteralPath $run.TempFolder).Count | Should -Be 0
    }

    It 'fails with EditorFolderUnavailable when the folder cannot be created, and writes no document' {
        # The data folder is a file: nothing can be created under it.
        $dataHome = Join-Path $TestDrive "data-file-$([guid]::NewGuid().ToString('N'))"
        Set-Content -LiteralPath $dataHome -Value 'not a folder'
        $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: never-made/' }
        $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = (Get-ScriptedEditorCommand $plan); XDG_RUNTIME_DIR = $null; XDG_DATA_HOME = $dataHome }
        $run.Result.ErrorId | Should -BeLike 'EditorFolderUnavailable,*'
        $run.Result.Category | Should -Be 'OpenError'
        $run.Result.Error | Should -Match ([regex]::Escape("'$(Join-Path $dataHome 'ApiKeyModule/edit')'"))
        Get-EditorOpenCount $plan | Should -Be 0
        @(Get-ChildItem -Force -LiteralPath $run.TempFolder).Count | Should -Be 0
        @(Get-ApiKey -StorePath $store).Count | Should -Be 0
    }

    It 'refuses with EditorFolderNotPrivate a folder that <Case>, changes nothing and writes no document' -ForEach @(
        @{ Case = 'belongs to another user'; Reason = 'belongs to user id 65534'; RootOnly = $true
            Prepare = { param($folder) New-Item -ItemType Directory -Path $folder | Out-Null; & chmod 700 -- $folder; & chown 65534:65534 -- $folder } }
        @{ Case = 'has mode 0777'; Reason = 'mode 0777'; RootOnly = $false
            Prepare = { param($folder) New-Item -ItemType Directory -Path $folder | Out-Null; & chmod 777 -- $folder } }
        @{ Case = 'is a symbolic link to a private folder'; Reason = 'symbolic link'; RootOnly = $false
            Prepare = { param($folder) $target = "$folder-target"; New-Item -ItemType Directory -Path $target | Out-Null; & chmod 700 -- $target; & ln -s -- $target $folder } }
    ) {
        if ($RootOnly -and $userId -ne '0') {
            Set-ItResult -Skipped -Because 'only root can give a folder to another user'
            return
        }
        $prepared = New-PreparedRuntime $Prepare
        $before = Get-UnixStatus $prepared.Folder
        $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: never-made/' }
        $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = (Get-ScriptedEditorCommand $plan); XDG_RUNTIME_DIR = $prepared.Runtime }
        $run.Result.ErrorId | Should -BeLike 'EditorFolderNotPrivate,*'
        $run.Result.Category | Should -Be 'SecurityError'
        $run.Result.Error | Should -Match ([regex]::Escape("'$($prepared.Folder)'"))
        $run.Result.Error | Should -Match $Reason
        Get-EditorOpenCount $plan | Should -Be 0
        Get-UnixStatus $prepared.Folder | Should -Be $before -Because 'Edit-ApiKey does not chmod or chown a folder it does not trust'
        @(Get-ChildItem -Force -Recurse -File -LiteralPath $prepared.Runtime).Count | Should -Be 0
        @(Get-ChildItem -Force -LiteralPath $run.TempFolder).Count | Should -Be 0
        @(Get-ApiKey -StorePath $store).Count | Should -Be 0
    }
}
