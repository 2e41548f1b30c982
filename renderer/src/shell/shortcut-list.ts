/** Every keyboard shortcut of the window, for the `?` dialog. Keep in step with the handlers. */

export interface ShortcutGroup {
  readonly title: string;
  readonly keys: readonly { readonly keys: readonly string[]; readonly what: string }[];
}

export const SHORTCUTS: readonly ShortcutGroup[] = [
  {
    title: 'Anywhere',
    keys: [
      { keys: ['n'], what: 'New task (the full form)' },
      { keys: ['q'], what: 'Quick add: type a task in plain words' },
      { keys: ['/'], what: 'Search the tasks' },
      { keys: ['Ctrl', 'Z'], what: 'Undo the last change (⌘ Z on a Mac)' },
      { keys: ['?'], what: 'Show this list of shortcuts' },
    ],
  },
  {
    title: 'Tasks',
    keys: [
      { keys: ['j'], what: 'Select the next task' },
      { keys: ['k'], what: 'Select the previous task' },
      { keys: ['x'], what: 'Complete the selected task (again to reopen it)' },
      { keys: ['e'], what: 'Edit the selected task' },
      { keys: ['Delete'], what: 'Delete the selected task' },
      { keys: ['Alt', '↑'], what: 'Move the focused board card up its column' },
      { keys: ['Alt', '↓'], what: 'Move the focused board card down its column' },
    ],
  },
  {
    title: 'In a dialog or a field',
    keys: [
      { keys: ['Enter'], what: 'Save, or add the quick-add task' },
      { keys: ['Escape'], what: 'Close the dialog, or clear the field' },
      { keys: ['←', '→'], what: 'Move between the tabs (on a tab)' },
    ],
  },
];
