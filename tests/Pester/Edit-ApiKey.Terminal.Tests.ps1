# Edit-ApiKey in a real terminal: tmux runs pwsh with the module, Edit-ApiKey opens vi (vim), and the test types
# into it with `tmux send-keys`, reading the screen with `tmux capture-pane`. Then it checks the store.
# tmux and vim are Debian packages that .ci/run installs when missing: without them these tests fail (never skip).

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    # A tmux started from inside tmux would otherwise refuse or talk to the wrong server.
    $savedTmux = $env:TMUX
    Remove-Item Env:TMUX -ErrorAction Ignore

    function Assert-Program([string] $Name, [string] $Package) {
        if (-not (Get-Command $Name -CommandType Application -ErrorAction Ignore)) {
            throw "'$Name' is not installed: it comes from the Debian package '$Package', which .ci/run installs."
        }
    }

    function Invoke-Tmux {
        $output = & tmux -L $socket @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "tmux $($args -join ' ') failed ($LASTEXITCODE): $output" }
        $output
    }

    # Starts a tmux server of its own ($socket) with one 120x40 window that runs $Command (PowerShell text) in a
    # child pwsh with the module, EDITOR=vi, VISUAL unset, and TMPDIR and XDG_RUNTIME_DIR of its own; the window
    # prints EDIT-FINISHED when pwsh has ended. Returns the path of the child's JSON result (see New-ChildScript).
    function Start-TerminalEdit([string] $Command) {
        $id = [guid]::NewGuid().ToString('N')
        $resultPath = Join-Path $TestDrive "result-$id.json"
        $folders = New-ChildFolders $TestDrive
        $config = Join-Path $TestDrive "tmux-$id.conf"
        # No user configuration; the window stays after pwsh has ended, so that its screen can be read.
        Set-Content -LiteralPath $config -Value "set -g default-shell /bin/sh`nset -g remain-on-exit on`nset -g history-limit 5000"
        $shell = 'unset VISUAL; export EDITOR=vi; ' +
            # vim without the user's vimrc or viminfo (VIMINIT replaces ~/.vimrc).
            "export VIMINIT=$(ConvertTo-ShLiteral 'set nocompatible viminfo='); export TMPDIR=$(ConvertTo-ShLiteral $folders.Temp); " +
            "export XDG_RUNTIME_DIR=$(ConvertTo-ShLiteral $folders.Runtime); " +
            (Get-ChildPwshCommandLine -Script (New-ChildScript -Command $Command -ResultPath $resultPath) -NoExec) + '; echo EDIT-FINISHED'
        Invoke-Tmux -f $config new-session -d -s edit -x 120 -y 40 $shell | Out-Null
        $resultPath
    }

    # What the window shows, with the history above it; trailing blanks removed from each line.
    function Get-Screen {
        @(Invoke-Tmux capture-pane -p -J -S - -t edit | ForEach-Object { "$_".TrimEnd() }) -join "`n"
    }

    # Polls the screen until it matches every pattern (30 s at most); returns it.
    function Wait-Screen([string[]] $Pattern, [int] $TimeoutSeconds = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ($true) {
            $screen = Get-Screen
            if (@($Pattern | Where-Object { $screen -notmatch $_ }).Count -eq 0) { return $screen }
            if ([DateTime]::UtcNow -gt $deadline) {
                throw "The screen did not show '$($Pattern -join "' and '")' within $TimeoutSeconds s. Screen:`n$screen"
            }
            Start-Sleep -Milliseconds 200
        }
    }

    function Send-Keys([string[]] $Keys) { Invoke-Tmux send-keys -t edit @Keys | Out-Null }
    function Send-Text([string] $Text) { Invoke-Tmux send-keys -t edit -l '--' $Text | Out-Null }

    # In vim: go to the first line matching $Pattern and replace the line with $Text (normal mode before and after).
    function Set-VimLine([string] $Pattern, [string] $Text) {
        Send-Text "/$Pattern"
        Send-Keys Enter
        Send-Text 'cc'
        Send-Text $Text
        Send-Keys Escape
    }

    function Save-AndQuitVim {
        Send-Text ':wq'
        Send-Keys Enter
    }

    function Read-Result([string] $Path) {
        $screen = Wait-Screen '(?m)^EDIT-FINISHED'
        if (-not (Test-Path $Path)) { throw "The child pwsh wrote no result. Screen:`n$screen" }
        Get-Content $Path -Raw | ConvertFrom-Json
    }
}

AfterAll {
    if ($savedTmux) { $env:TMUX = $savedTmux }
}

Describe 'Edit-ApiKey in a real terminal (tmux, vi)' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $socket = "apikey-edit-test-$([guid]::NewGuid().ToString('N'))"
        Assert-Program 'tmux' 'tmux'
        Assert-Program 'vi' 'vim'
    }

    AfterEach {
        # The server ends; its socket file does not go by itself.
        $socketPath = & tmux -L $socket display-message -p '#{socket_path}' 2>$null
        & tmux -L $socket kill-server 2>&1 | Out-Null
        if ($socketPath) { Remove-Item -LiteralPath $socketPath -Force -ErrorAction Ignore }
    }

    It 'has tmux and vi (.ci/run installs them)' {
        Get-Command tmux -CommandType Application -ErrorAction Ignore | Should -Not -BeNullOrEmpty
        Get-Command vi -CommandType Application -ErrorAction Ignore | Should -Not -BeNullOrEmpty
    }

    It 'creates a key whose name and allowlist are typed into vi, and shows its Key' {
        $resultPath = Start-TerminalEdit "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) | ForEach-Object { `$_ | Format-List Id, Name, Key | Out-Host; `$_ }"
        Wait-Screen '(?m)^# New API key', '(?m)^name:[ ]*$', '(?m)^~' | Out-Null

        Send-Text '/^name:'
        Send-Keys Enter
        Send-Text 'A'
        Send-Text 'typed-in-vi'
        Send-Keys Escape
        Set-VimLine '^# allowlist:' 'allowlist: [{method: CALL, resource: system.info}]'
        Save-AndQuitVim

        $screen = Wait-Screen '(?m)^Key\s*: \d+-[A-Za-z0-9]{64}'
        $result = Read-Result $resultPath
        $result.ErrorId | Should -BeNullOrEmpty -Because "$($result.Error)"
        $keys = @(Get-ApiKey -StorePath $store)
        $keys.Count | Should -Be 1
        $keys[0].Name | Should -BeExactly 'typed-in-vi'
        Format-Allowlist $keys[0] | Should -BeExactly 'CALL system.info'
        $shown = [regex]::Match($screen, '(?m)^Key\s*: (\d+-[A-Za-z0-9]{64})').Groups[1].Value
        $shown | Should -BeExactly $result.Output[0].Key
        Test-ApiKey -StorePath $store $shown -Method CALL -Resource system.info | Should -BeTrue
    }

    It 'renames a key in vi after an error, answering Yes to "Edit it again?"' {
        $key = New-ApiKey -StorePath $store -Name 'vi-before' -Allowlist @{ method = 'GET'; resource = '/pool' }
        $resultPath = Start-TerminalEdit "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($key.Id)"
        Wait-Screen '(?m)^name: "vi-before"$', '(?m)^reset: false$' | Out-Null

        Set-VimLine '^name:' 'name: vi-after'
        Set-VimLine '^reset:' 'reset: maybe'
        Save-AndQuitVim

        Wait-Screen 'Edit it again\?' | Out-Null
        Send-Text 'y'
        Send-Keys Enter
        # vi again, with the error on top and the new name kept.
        Wait-Screen '(?m)^# ERROR: .*maybe', '(?m)^name: vi-after$', '(?m)^reset: maybe$' | Out-Null
        Set-VimLine '^reset:' 'reset: false'
        Save-AndQuitVim

        $result = Read-Result $resultPath
        $result.ErrorId | Should -BeNullOrEmpty -Because "$($result.Error)"
        @($result.Output).Count | Should -Be 0
        $got = Get-ApiKey -StorePath $store -Id $key.Id
        $got.Name | Should -BeExactly 'vi-after'
        Format-Allowlist $got | Should -BeExactly 'GET /pool'
        Test-ApiKey -StorePath $store $key.Key | Should -BeTrue
    }

    It 'changes nothing when the user answers No to "Edit it again?"' {
        $key = New-ApiKey -StorePath $store -Name 'vi-kept' -Allowlist @{ method = 'GET'; resource = '/pool' }
        $resultPath = Start-TerminalEdit "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($key.Id)"
        Wait-Screen '(?m)^name: "vi-kept"$' | Out-Null

        Set-VimLine '^name:' 'name: vi-not-applied'
        Set-VimLine '^- method:' '- method: FETCH'
        Save-AndQuitVim

        Wait-Screen 'Edit it again\?' | Out-Null
        Send-Text 'n'
        Send-Keys Enter

        $result = Read-Result $resultPath
        $result.ErrorId | Should -BeNullOrEmpty
        ($result.Warnings -join "`n") | Should -Match 'FETCH'
        $got = Get-ApiKey -StorePath $store -Id $key.Id
        $got.Name | Should -BeExactly 'vi-kept'
        Format-Allowlist $got | Should -BeExactly 'GET /pool'
    }
}
