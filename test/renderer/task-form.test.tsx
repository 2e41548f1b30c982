// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { renderApp } from './setup.js';

afterEach(cleanup);

async function openForm() {
  const user = userEvent.setup();
  const api = new FakeApi();
  await renderApp(api);
  await user.click(screen.getByRole('button', { name: 'New task' }));
  const dialog = screen.getByRole('dialog', { name: 'New task' });
  const title = within(dialog).getByLabelText('Title');
  const submit = within(dialog).getByRole('button', { name: 'Create task' });
  return { user, api, dialog, title, submit };
}

describe('task form validation', () => {
  it('refuses an empty (or blank) title with a message on the field', async () => {
    const { user, api, dialog, title, submit } = await openForm();
    await user.type(title, '   ');
    await user.click(submit);
    expect(within(dialog).getByText('Title must not be empty')).toBeTruthy();
    expect(title.getAttribute('aria-invalid')).toBe('true');
    // The message is tied to the field for screen readers.
    const described = title.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(described)?.textContent).toBe('Title must not be empty');
    expect(api.callsOf('createTask')).toHaveLength(0);
    expect(screen.getByRole('dialog', { name: 'New task' })).toBeTruthy();
  });

  it('refuses a 256-character title, and the message goes once it is fixed', async () => {
    const { user, api, dialog, title, submit } = await openForm();
    await user.click(title);
    await user.paste('x'.repeat(256));
    await user.click(submit);
    expect(within(dialog).getByText('Title must be at most 255 characters')).toBeTruthy();
    expect(api.callsOf('createTask')).toHaveLength(0);

    await user.type(title, '{Backspace}');
    expect(within(dialog).queryByText(/at most 255/)).toBeNull();
    await user.click(submit);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('createTask')).toHaveLength(1);
  });

  it('sends the due date as YYYY-MM-DD, and no due date as null', async () => {
    const { user, api, dialog, title, submit } = await openForm();
    await user.type(title, 'Dated');
    await user.type(within(dialog).getByLabelText('Due date'), '2025-03-01');
    await user.click(submit);
    expect(api.callsOf('createTask')[0]?.args[0]).toMatchObject({
      title: 'Dated',
      dueDate: '2025-03-01',
    });

    await user.click(screen.getByRole('button', { name: 'New task' }));
    await user.type(screen.getByLabelText('Title'), 'Undated');
    await user.click(screen.getByRole('button', { name: 'Create task' }));
    expect(api.callsOf('createTask')[1]?.args[0]).toMatchObject({ dueDate: null });
  });

  it('Escape closes the form without creating anything', async () => {
    const { user, api } = await openForm();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('createTask')).toHaveLength(0);
  });
});
